"""Smoke test of experiments/peers (tiny sizes): the comparison runs end to end, every tool runs
the same gradient descent (same final loss), and the report shows the measured rows."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELUREG = os.path.join(ROOT, "build", "relureg")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if not os.access(RELUREG, os.X_OK):
        pytest.skip("build/relureg is not built (run scripts/test.sh)")
    work = tmp_path_factory.mktemp("peers")
    out = work / "performance.md"
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "experiments", "peers", "peers.py"),
                           "--quick", "--relureg", RELUREG, "--avx2-relureg", RELUREG,
                           "--workdir", str(work), "--out",
                           str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    with open(work / "results.json") as f:
        return json.load(f), out.read_text(), proc.stderr


def test_every_tool_runs_the_same_gradient_descent(run):
    results, _, _ = run
    rows = results["per_epoch"]
    ours = [r for r in rows if r["tool"] == "relureg gd"]
    assert len(ours) == 1 and ours[0]["passes"] == results["epochs"] == 5
    assert 0.04 < ours[0]["final_loss"] < 0.2  # label-noise, opt = 0.05, after 5 steps from 0
    peers = [r for r in rows if r["tool"] != "relureg gd"]
    assert any(r["tool"] == "numpy" for r in peers)
    for r in peers:  # float32 peers against relureg's double accumulation
        assert r["final_loss"] == pytest.approx(ours[0]["final_loss"], rel=1e-5), r["tool"]
        assert r["seconds_per_epoch"] > 0 and r["rss_kib"] > 10_000
        assert r["relureg_beside"] > 0  # relureg timed just before and after this peer


def test_relureg_reaches_1_1_opt_and_the_report_says_so(run):
    results, text, stderr = run
    for acc in results["accuracy"]:
        gd = [r for r in acc["relureg"] if r["learner"] == "gd"][0]
        assert gd["reached"] and gd["ratio"] < 1.1, acc["family"]
        assert gd["population_loss"] >= acc["opt"] * (1 - 1e-9) or acc["opt_kind"] != "exact"
    assert "## Targets" in text and "| relureg gd |" in text
    # Written elsewhere than docs/performance.md: the command line names the page it wrote.
    written = text.splitlines()[2]
    assert written.startswith("Written by `bash experiments/peers/run.sh --quick --out ")
    assert "### label-noise" in text and "### adversarial" in text
    # Section 3 says relureg's data starts in the page cache, as the peers' starts in memory.
    assert "its data file read through once before each fit" in text
    if not any(r["tool"].startswith("PyTorch") for r in results["per_epoch"]):
        assert "torch is not installed: its rows are skipped" in stderr


def test_every_learner_reports_its_passes_to_each_target(run):
    results, text, _ = run
    for acc in results["accuracy"]:
        rows = {r["learner"]: r for r in acc["relureg"]}
        assert set(rows) == {"moment", "moment passes=1", "gd", "gd init=moment", "glmtron",
                             "glmtron polish=20", "dktz22", "wzdd23", "gv25", "isotron"}
        assert rows["moment"]["passes"] == 2 and rows["moment passes=1"]["passes"] == 1
        # One pass and two passes: the same direction and (to 1e-3) the same loss.
        assert rows["moment passes=1"]["ratio"] == pytest.approx(rows["moment"]["ratio"], rel=1e-3)
        for row in rows.values():
            assert row["passes"] >= 1 and row["seconds"] > 0, row["learner"]
            for factor in ("1.1", "1.01"):
                to = row["to"][factor]
                assert (to is None) == (row["ratio"] > float(factor)), row["learner"]
        # gd from zero: the first step is the Chow step; the sweep finds the fewest passes.
        gd = rows["gd"]["to"]
        assert gd["1.1"]["swept"] and 2 <= gd["1.1"]["passes"] <= gd["1.01"]["passes"] <= 6
        assert gd["1.01"]["ratio"] <= 1.01 and gd["1.01"]["passes"] <= rows["gd"]["passes"]
    assert "| relureg gd | " in text and "passes to 1.01·opt" in text
    assert "reaches 1.01·opt in ≤ 6 passes (label-noise" in text


def test_adam_and_lbfgs_ran_with_their_epochs_counted(run):
    results, text, stderr = run
    if not any(r["tool"].startswith("PyTorch") for r in results["per_epoch"]):
        # python3-torch missing (run.sh installs it): no peer rows, and a line says so.
        assert "torch is not installed: its rows are skipped" in stderr
        assert all(acc["adam"] == [] and acc["lbfgs"] == [] for acc in results["accuracy"])
        return
    for acc in results["accuracy"]:
        for kind in ("adam", "lbfgs"):
            (run_,) = acc[kind]
            assert run_["epochs_run"] >= 1 and run_["seconds_total"] > 0
            for factor, hit in run_["hits"].items():
                assert hit["population_loss"] <= float(factor) * acc["opt"]
                assert 1 <= hit["epoch"] <= run_["epochs_run"]
        # L-BFGS on this smooth, small problem reaches 1.1·opt within its first restart.
        assert acc["lbfgs"][0]["hits"]["1.1"]["restart"] == 0
    assert "PyTorch L-BFGS (Debian BLAS)" in text and "PyTorch Adam (Debian BLAS)" in text


def test_every_time_to_accuracy_fit_reads_its_files_through_first(monkeypatch, tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import types

    import peers

    events = []
    monkeypatch.setattr(peers, "read_through", lambda *paths: events.append(("read",) + paths))

    class FakeRelureg:
        def fit(self, data, learner, params, model):
            events.append(("fit", data))
            k = int(params[-1].split("=")[1]) if params else 8
            return {"seconds": 0.01 * k, "passes": k, "w": [1.0], "b": 0.0}

        def evaluate(self, model, data, truth):  # population loss / opt = 1 + 0.1/k
            k = int(model.rsplit("_k", 1)[1][:-5]) if "_k" in model else 8
            return {"population_loss": 1.0 + 0.1 / k, "opt": 1.0}

    args = types.SimpleNamespace(workdir=str(tmp_path), one_row="one_row.npy")
    row = peers.fit_to_targets(args, FakeRelureg(), "t.npy", "t.truth.json", "fam", "gd", [], True)
    fits = [i for i, e in enumerate(events) if e[0] == "fit"]
    # The default fit (8 passes, 1.0125·opt), then the binary search for 1.1·opt: k = 4, 2, 1;
    # 1.01·opt is not reached. Each fit comes right after both files were read through.
    assert [events[i][1] for i in fits] == ["t.npy"] * 4
    assert all(events[i - 1] == ("read", "t.npy", "t.labels.npy") for i in fits)
    assert row["to"]["1.1"]["passes"] == 1 and row["to"]["1.01"] is None


def test_relureg_epochs_are_timed_between_the_fits_first_and_last_reports():
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import peers

    # gd's first report comes after its second pass; the first pass's faults (0.13 s) fall
    # before it and stay out of the time per pass.
    fit = {"seconds": 0.27, "passes": 20,
           "timeline": {"passes": list(range(2, 21)), "seconds": [0.14 + 0.007 * k
                                                                   for k in range(19)]}}
    assert peers.seconds_per_timed_pass(fit) == pytest.approx(0.007)
    fit["timeline"] = {"passes": [5], "seconds": [0.2]}  # one report: the mean over every pass
    assert peers.seconds_per_timed_pass(fit) == pytest.approx(0.27 / 20)


def test_a_linear_cost_row_missed_names_the_size_read_from_the_caches():
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import report

    # The Zen 5 page's epochs (d = 100): 564 µs, 9.3 ms and 88.9 ms at n = 10^5, 10^6, 10^7.
    rows = [{"n": 10**4, "seconds_per_epoch": 199e-6}, {"n": 10**5, "seconds_per_epoch": 564e-6},
            {"n": 10**6, "seconds_per_epoch": 9.3e-3}, {"n": 10**7, "seconds_per_epoch": 88.9e-3}]
    assert report.linear_cost_target(rows, 100) == [
        "| cost linear in n·d (n ≥ 10⁵, out of cache) | per-element cost within 1.65× over "
        "n = 100,000, 1,000,000, 10,000,000; X at n = 100,000 (40 MB) read at 70.9 GB/s, at "
        "n = 10,000,000 45.0 GB/s; within 1.05× over the larger n | MISSED |"]
    rows[1]["seconds_per_epoch"] = 8.0e-4
    assert report.linear_cost_target(rows, 100) == [
        "| cost linear in n·d (n ≥ 10⁵, out of cache) | per-element cost within 1.16× over "
        "n = 100,000, 1,000,000, 10,000,000 | met |"]
    assert report.linear_cost_target(rows[:2], 100) == []


def test_the_benchmark_targets_become_rows_with_their_range_over_repetitions():
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import bench_tables
    import machine

    bench = ("target gd-pass >= 0.60 x stream /n:1000000/d:10/threads:2/real_time        "
             "0.41 [0.38, 0.44]  MISSED\n"
             "target loss >= 0.80 x stream /n:1000000/d:100/threads:2/real_time       "
             "0.86 [0.81, 0.90]  met\n"
             "target glmtron-pass >= 0.80 x stream /n:1000000/d:100/threads:2/real_time    "
             "0.795 [0.780, 0.810]  MISSED\n")
    assert bench_tables.bench_targets(bench) + bench_tables.bench_targets(
        bench.splitlines()[0], machine.AVX2_BUILD) == [
        "| fused pass of `gd` (square-loss gradient) ≥ 0.60 × streaming read (d = 10, 2 threads, "
        "`bench_engine`) | 0.41 (repetitions 0.38–0.44) | MISSED |",
        "| loss pass (`relu_loss`) ≥ 0.80 × streaming read (d = 100, 2 threads, `bench_engine`) | "
        "0.86 (repetitions 0.81–0.90) | met |",
        "| fused pass of `glmtron` (surrogate gradient) ≥ 0.80 × streaming read (d = 100, 2 threads, "
        "`bench_engine`) | 0.795 (repetitions 0.780–0.810) | MISSED |",
        "| fused pass of `gd` (square-loss gradient) ≥ 0.60 × streaming read (d = 10, 2 threads, "
        "x86-64-v3 (AVX2) build, `bench_engine`) | 0.41 (repetitions 0.38–0.44) | MISSED |",
    ]


def test_targets_where_the_passes_read_the_column_copy_say_so_beside_the_rows_pass():
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import bench_tables

    bench = ("target gd-pass >= 0.60 x stream /n:1000000/d:10/threads:2/real_time        "
             "0.66 [0.64, 0.67]  met\n"
             "target gd-rows >= 0.60 x stream /n:1000000/d:10/threads:2/real_time        "
             "0.50 [0.49, 0.51]  MISSED\n"
             "target gd-pass >= 0.80 x stream /n:1000000/d:32/threads:2/real_time        "
             "0.70 [0.60, 0.75]  MISSED\n")
    assert bench_tables.bench_targets(bench) == [
        "| fused pass of `gd` (square-loss gradient) reading the column copy (a fit's passes from "
        "its 32nd on, 16th with the AVX2 kernels) ≥ 0.60 × streaming read (d = 10, 2 threads, "
        "`bench_engine`) | 0.66 (repetitions 0.64–0.67) | met |",
        "| `gd`'s pass over the rows, without the column copy (a fit's first 31 passes, 15 with the "
        "AVX2 kernels) ≥ 0.60 × streaming read (d = 10, 2 threads, `bench_engine`) | 0.50 "
        "(repetitions 0.49–0.51) | MISSED |",
        "| fused pass of `gd` (square-loss gradient) ≥ 0.80 × streaming read (d = 32, 2 threads, "
        "`bench_engine`) | 0.70 (repetitions 0.60–0.75) | MISSED |",
    ]


def test_the_avx2_host_comparison_runs_the_same_descent_and_has_its_targets(run):
    # The test passes the same binary as --avx2-relureg: the rows must exist, agree on the final
    # loss (same gradient descent), and give the AVX2 host's epoch targets.
    results, text, _ = run
    rows = results["per_epoch_avx2"]
    assert [r["tool"] for r in rows][:2] == ["relureg gd", "numpy"]
    ours = rows[0]["final_loss"]
    for r in rows[1:]:
        assert r["final_loss"] == pytest.approx(ours, rel=1e-5), r["tool"]
    assert "The same comparison as an AVX2-only host runs it" in text
    assert "`ATEN_CPU_CAPABILITY=avx2`" in text
    assert "x86-64-v3 (AVX2) build against AVX2 peers, n = 4,000, d = 100" in text
    if not any(r["tool"].startswith("PyTorch") for r in rows):
        # Without python3-torch its targets are rows that say so, not rows left out.
        assert ("| epoch ≥ 6× faster than PyTorch (x86-64-v3 (AVX2) build against AVX2 peers, "
                "n = 4,000, d = 100) | not measured: PyTorch is not installed") in text


def test_the_pass_table_names_the_kernel_each_d_took():
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import bench_tables

    bench = ("short-row kernels: avx512 (d <= 128; this CPU and build run: generic avx2 avx512)\n"
             "short-row kernels for d <= 8: avx512-columns (every pass)\n"
             "short-row kernels for d <= 12: avx512-columns/avx2 (gd's and glmtron's ...)\n"
             "short-row kernels for d <= 64: avx2 (gd's and glmtron's passes: avx512 where ...)\n")
    for d in (8, 10, 12, 13, 64, 100, 1000):
        bench += (f"bandwidth /n:1000000/d:{d}/threads:1/real_time  stream  20.00 GB/s  "
                  f"BM_GdPass 10.00 GB/s (0.50)\n")
    rows = [row for row in bench_tables.pass_table(bench, "title") if row[2:3].isdigit()]
    assert [row.split(" | ")[:2] for row in rows] == [
        ["| 8", "short rows, avx512-columns"], ["| 10", "short rows, avx512-columns/avx2"],
        ["| 12", "short rows, avx512-columns/avx2"],
        ["| 13", "short rows, avx2"], ["| 64", "short rows, avx2"],
        ["| 100", "short rows, avx512"], ["| 1000", "row-major tiles"]]


def test_the_pass_table_names_the_isa_the_build_ran():
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import bench_tables

    assert bench_tables.build_isa("x\nshort-row kernels: avx2 (d <= 128; this CPU and build "
                                  "run: generic avx2)\n") == "AVX2"
    assert bench_tables.build_isa("short-row kernels: avx512 (d <= 128; this CPU and build "
                                  "run: generic avx2 avx512)") == "AVX-512"
    assert bench_tables.build_isa("short-row kernels: generic (d <= 32; this CPU and build "
                                  "run: generic)") == "no AVX2"


def test_a_pytorch_target_beyond_the_memory_limit_says_so():
    # Stream 27.2 GB/s over 400 MB: 14.7 ms. relureg 17.1 ms; PyTorch 57.6 ms is 3.92× the read
    # (6× out of reach for any tool reading X once), 114.1 ms is 7.76× (reachable, here met).
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import report

    r = {"n": 10**6, "d": 100, "threads": 2}
    rows = [{"tool": "relureg gd", "seconds_per_epoch": 0.0171},
            {"tool": "PyTorch hand-written gradient", "blas": "openblas",
             "seconds_per_epoch": 0.0576},
            {"tool": "PyTorch nn.Linear+SGD", "blas": "openblas", "seconds_per_epoch": 0.1141}]
    bench = "bandwidth /n:1000000/d:100/threads:2/real_time        stream  27.20 GB/s\n"
    assert report.epoch_target_rows(r, rows, bench, "") == [
        "| epoch ≥ 6× faster than PyTorch hand-written gradient (OpenBLAS) (n = 1,000,000, "
        "d = 100; earlier target ≥ 3×) | 3.4×; its epoch = 3.92× the streaming read of X "
        "(same run) | "
        "MISSED, beyond the memory limit here (≥ 3× met) |",
        "| epoch ≥ 6× faster than PyTorch nn.Linear+SGD (OpenBLAS) (n = 1,000,000, d = 100; "
        "earlier target ≥ 3×) | 6.7× | met |"]


def test_a_peers_ratio_divides_by_relureg_timed_beside_it():
    # relureg's row 13.2 ms (fits made in a slow minute); numpy 46.5 ms was timed between two
    # fits of 7.9 and 8.3 ms: 46.5 / 7.9 = 5.9×, not 46.5 / 13.2 = 3.5×.
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import report

    r = {"n": 10**6, "d": 100, "threads": 2}
    ours = {"tool": "relureg gd", "seconds_per_epoch": 0.0132, "final_loss": 0.05,
            "rss_kib": 400 * 1024}
    numpy = {"tool": "numpy", "blas": "openblas", "seconds_per_epoch": 0.0465,
             "relureg_beside": 0.0079, "final_loss": 0.05, "rss_kib": 430 * 1024}
    assert report.epoch_target_rows(r, [ours, numpy], "", "") == [
        "| epoch ≥ 4× faster than numpy (OpenBLAS) (n = 1,000,000, d = 100) | 5.9× | met |",
        "| epoch ≥ 6× faster than PyTorch (n = 1,000,000, d = 100) | not measured: PyTorch is "
        "not installed (`run.sh` installs python3-torch) | not measured |"]
    table = report.epoch_rows([ours, numpy], 400e6)
    assert table[2].startswith("| relureg gd | 13.2 ms | — | — |")
    assert table[3].startswith("| numpy (OpenBLAS) | 46.5 ms | 7.9 ms | 5.9× |")
    del numpy["relureg_beside"]  # results written before the pairing: relureg's row
    assert report.epoch_rows([ours, numpy], 400e6)[3].startswith(
        "| numpy (OpenBLAS) | 46.5 ms | 13.2 ms | 3.5× |")


def test_each_peer_is_timed_between_fits_and_streaming_reads_shared_with_its_neighbours(
        monkeypatch, tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import types

    import peers

    events = []
    epochs = iter([0.009, 0.008, 0.007, 0.010, 0.006])  # 2 repeats, then beside each peer
    streams = iter([0.0060, 0.0050, 0.0070])

    class FakeRelureg:
        def fit(self, data, learner, params, model):
            events.append("fit")
            return {"seconds": 0.2, "passes": 20, "train_loss": 0.05,
                    "timeline": {"passes": [2, 20], "seconds": [0.0, 18 * next(epochs)]}}

    class FakePeers:
        available = {"torch": False}

        def run(self, task, args, blas, avx2):
            events.append(f"{task} {blas}")
            return {"seconds_per_epoch": 0.04}

    def stream(bench, n, d, threads):
        events.append(f"stream {bench} {n}x{d} {threads}")
        return next(streams)

    monkeypatch.setattr(peers, "stream_read_seconds", stream)
    monkeypatch.setattr(peers, "labels_of", lambda data: "y.npy")
    args = types.SimpleNamespace(workdir=str(tmp_path), openblas="/ob", threads=2)
    rows = peers.per_epoch(args, FakeRelureg(), FakePeers(), "x.npy", 1000, 10, 20, 2,
                           bench="b")
    # numpy on Debian's BLAS, then on OpenBLAS: the fit and the read after the first peer are
    # also the ones before the second (2 + 3 fits, 3 reads, not 2 + 4 and 4).
    assert events == ["fit", "fit", "fit", "stream b 1000x10 2", "gd_numpy debian", "fit",
                      "stream b 1000x10 2", "gd_numpy openblas", "fit", "stream b 1000x10 2"]
    assert rows[0]["seconds_per_epoch"] == pytest.approx(0.008)
    assert [row["relureg_beside"] for row in rows[1:]] == pytest.approx([0.007, 0.006])
    assert [row["stream_beside"] for row in rows[1:]] == pytest.approx([0.005, 0.005])


def test_the_streaming_read_is_bench_engines_fastest_repetition(tmp_path):
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import peers

    bench = tmp_path / "bench_engine"
    # Like bench_engine: its own tables on stdout, the JSON in the --benchmark_out file.
    bench.write_text("#!/bin/sh\necho \"$1\" > " + str(tmp_path / "filter") + "\n"
                     "echo 'BM_StreamRead ... 27.9G/s'\n"
                     "for a in \"$@\"; do case \"$a\" in --benchmark_out=*) "
                     "out=\"${a#--benchmark_out=}\";; esac; done\n"
                     "cat > \"$out\" <<'EOF'\n" + json.dumps({"benchmarks": [
                         {"run_type": "iteration", "real_time": 6.5, "time_unit": "ms"},
                         {"run_type": "iteration", "real_time": 5.25, "time_unit": "ms"},
                         {"run_type": "aggregate", "real_time": 1.0, "time_unit": "ms"}]}) +
                     "\nEOF\n")
    bench.chmod(0o755)
    assert peers.stream_read_seconds(str(bench), 10**6, 100, 2) == pytest.approx(0.00525)
    assert (tmp_path / "filter").read_text().strip() == \
        "--benchmark_filter=^BM_StreamRead/n:1000000/d:100/threads:2/real_time$"
    assert peers.stream_read_seconds(str(tmp_path / "missing"), 10**6, 100, 2) is None
    bench.write_text("#!/bin/sh\necho 'Failed to match any benchmarks' >&2\n")
    assert peers.stream_read_seconds(str(bench), 1000, 10, 2) is None


def test_a_memory_limit_remark_divides_by_the_streaming_read_beside_the_peer():
    # The run's read 14.7 ms (27.2 GB/s); the one beside PyTorch 10.0 ms: its 57.6 ms epoch is
    # 5.76× that read, not 3.92×. numpy's 46.5 ms is 4.65× the read of 10.0 ms beside it.
    sys.path.insert(0, os.path.join(ROOT, "experiments", "peers"))
    import report

    r = {"n": 10**6, "d": 100, "threads": 2}
    rows = [{"tool": "relureg gd", "seconds_per_epoch": 0.0171, "final_loss": 0.05,
             "rss_kib": 400 * 1024},
            {"tool": "PyTorch hand-written gradient", "blas": "openblas",
             "seconds_per_epoch": 0.0576, "relureg_beside": 0.0120, "stream_beside": 0.0100,
             "final_loss": 0.05, "rss_kib": 600 * 1024},
            {"tool": "numpy", "blas": "openblas", "seconds_per_epoch": 0.0465,
             "relureg_beside": 0.0125, "stream_beside": 0.0100, "final_loss": 0.05,
             "rss_kib": 430 * 1024}]
    bench = "bandwidth /n:1000000/d:100/threads:2/real_time        stream  27.20 GB/s\n"
    assert report.epoch_target_rows(r, rows, bench, "") == [
        "| epoch ≥ 6× faster than PyTorch hand-written gradient (OpenBLAS) (n = 1,000,000, "
        "d = 100; earlier target ≥ 3×) | 4.8×; its epoch = 5.76× the streaming read of X "
        "(beside it) | MISSED, beyond the memory limit here (≥ 3× met) |",
        "| epoch ≥ 4× faster than numpy (OpenBLAS) (n = 1,000,000, d = 100) | 3.7×; numpy's "
        "epoch = 4.65× the streaming read of X (10.0 ms, `bench_engine`, beside it), relureg's "
        "= 1.25×: no tool that reads X once per epoch can beat numpy by more than 4.65× | "
        "MISSED |"]
    table = report.epoch_rows(rows, 400e6)
    assert table[0].startswith("| tool | time / epoch | relureg beside it | streaming read of X "
                               "beside it | relureg faster by |")
    assert table[2].startswith("| relureg gd | 17.1 ms | — | — | — | 0.0500000 |")
    assert table[3].startswith("| PyTorch hand-written gradient (OpenBLAS) | 57.6 ms | 12.0 ms "
                               "| 10.0 ms | 4.8× |")
