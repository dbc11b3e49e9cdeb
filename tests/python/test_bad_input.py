"""The bad-input table from Python: bounds on threads and sizes, and no file left on interruption."""

import os
import re
import signal
import subprocess
import time

import numpy as np
import pytest

import relureg
from relureg import _core


def test_n_jobs_beyond_the_thread_bound_is_clamped_with_a_warning():
    X, y, _ = relureg.make_instance("label-noise", n=10_000, d=4, seed=3)
    cores = len(os.sched_getaffinity(0))
    limit = _core.max_threads()
    assert limit == 4 * cores
    message = f"n_jobs=1000000 is more than 4 × the {cores} core{'' if cores == 1 else 's'}; " \
              f"using {limit}"
    with pytest.warns(RuntimeWarning, match="^" + re.escape(message) + "$"):
        many = relureg.ReLURegressor(learner="gd", n_jobs=10**6).fit(X, y)
    one = relureg.ReLURegressor(learner="gd", n_jobs=1).fit(X, y)
    assert np.array_equal(many.coef_, one.coef_)  # bit-identical for any thread count


@pytest.mark.parametrize(
    "n, d, needs",
    [(10**10, 100, "10000000000 × 100 needs 3.7 TiB"),
     (2**64 - 1, 4, "18446744073709551615 × 4 needs 384 EiB")],
)
def test_instances_beyond_memory_are_refused_with_what_they_need(n, d, needs):
    pattern = (re.escape(f"family 'label-noise': n × d = {needs} of memory (float32 features, "
                         "float64 labels); ") + r"\d+(\.\d)? (bytes|KiB|MiB|GiB|TiB) is available$")
    with pytest.raises(relureg.InputError, match=pattern):
        relureg.make_instance("label-noise", n=n, d=d)


def test_a_bad_model_file_names_the_key(tmp_path, run_cli):
    data = tmp_path / "d.csv"
    data.write_text("x0,y\n1,2\n")
    model = tmp_path / "m.json"
    model.write_text('{"w": [1], "bias": "yes"}')
    done = run_cli("evaluate", "--model", model, data, expect=1)
    assert done.stderr == f"relureg: error: {model}: key 'bias' must be true or false\n"


def test_fit_with_a_million_threads_runs(tmp_path, run_cli):
    data = tmp_path / "d.csv"
    data.write_text("x0,x1,y\n" + "".join(f"{i % 7},{i % 3},{i % 5}\n" for i in range(5000)))
    done = run_cli("fit", data, "--learner", "gd", "--threads", "1000000", "-o",
                   tmp_path / "m.json", "--quiet")
    cores = len(os.sched_getaffinity(0))
    assert done.stderr == (f"relureg: note: --threads 1000000 is more than 4 × the {cores} "
                           f"core{'' if cores == 1 else 's'}; using {4 * cores}\n")
    assert (tmp_path / "m.json").exists()


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_generate_leaves_no_temporary_file(tmp_path, relureg_binary, signal_number):
    output = tmp_path / "big.csv"
    process = subprocess.Popen(
        [str(relureg_binary), "generate", "--family", "label-noise", "--n", "2000000", "--d", "10",
         "--threads", "1", "-o", str(output), "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    # Wait until the data file is being written (its temporary name appears), then interrupt.
    while not list(tmp_path.glob(".big.csv.tmp.*")) and time.monotonic() < deadline:
        assert process.poll() is None, "generate finished before it could be interrupted"
        time.sleep(0.002)
    assert list(tmp_path.glob(".big.csv.tmp.*")), "no temporary file appeared"
    process.send_signal(signal_number)
    process.wait(timeout=60)
    assert process.returncode == -signal_number
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_stale_temporary_files_of_killed_runs_are_removed(tmp_path, run_cli):
    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = tmp_path / f".x.csv.tmp.{finished.pid}"  # its process is gone
    stale_truth = tmp_path / f".x.truth.json.tmp.{finished.pid}"
    alive = tmp_path / f".x.csv.tmp.{os.getpid()}"  # a running process: left alone
    other = tmp_path / ".y.csv.tmp.1"  # another file's
    for path in (stale, stale_truth, alive, other):
        path.write_text("partial")
    run_cli("generate", "--family", "realizable", "--n", "10", "--d", "2", "-o",
            tmp_path / "x.csv", "--quiet")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [alive.name, other.name, "x.csv", "x.truth.json"])
