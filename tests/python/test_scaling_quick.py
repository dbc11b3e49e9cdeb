"""The scaling-law commands (experiments/scaling) in their --quick mode, with their numbers checked."""

import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_quick(script, out):
    subprocess.run(
        [sys.executable, os.path.join(ROOT, "experiments", "scaling", script), "--quick", "--out",
         str(out)],
        check=True, env=dict(os.environ), capture_output=True,
    )


def test_recovery_fails_at_n_equal_d_and_succeeds_at_ten_d(tmp_path):
    run_quick("recovery.py", tmp_path)
    rows = {r["ratio"]: r for r in json.load(open(tmp_path / "recovery.json"))["rows"]}
    assert rows[1]["p_recover"] == 0.0 and rows[1]["median_error"] > 0.1
    assert rows[10]["p_recover"] == 1.0 and rows[10]["median_error"] < 1e-8
    # Below the transition the loss does not contract; well above it, each pass contracts.
    assert rows[1]["contraction"] > 0.99 and rows[10]["contraction"] < 0.9
    assert (tmp_path / "recovery.png").stat().st_size > 10000
    assert "| 20 | 10 | 200 | 1.00 |" in (tmp_path / "recovery.md").read_text()


def test_moment_constant_search_stays_below_the_bounds(tmp_path):
    run_quick("moment_constant.py", tmp_path)
    found = json.load(open(tmp_path / "moment_constant.json"))
    # y = |x1|: the Chow vector 2E[yx] is 0, so both estimators lose E[y²] = 1 against opt 1/2.
    assert abs(found["design_pattern"]["chow_ratio"] - 2.0) < 1e-6
    assert abs(found["design_pattern"]["moment_ratio"] - 2.0) < 1e-6
    for name in ("chow", "moment"):
        # The search starts there, so it finds at least 2; the proven bound is 9.
        assert 2.0 - 1e-9 <= found[name]["worst"] <= 9.0
        # relureg's moment learner on 2·10^5 sampled rows of the worst pattern stays below it.
        assert 0.99 <= found[name]["fitted_moment_ratio"] <= found[name]["worst"] + 0.05


def test_orthogonal_correlation_decays_like_n_to_minus_k_over_two(tmp_path):
    run_quick("orthogonal_correlation.py", tmp_path)
    found = json.load(open(tmp_path / "orthogonal_correlation.json"))
    slopes = {int(k): s for k, s in found["slopes"].items()}
    # Three sizes (16, 32, 64) and 20 directions: the slopes are within 0.5 of -k/2.
    assert abs(slopes[2] + 1) < 0.5 and abs(slopes[4] + 2) < 0.5
    corr = {(r["k"], r["n"]): r["rms_corr"] for r in found["rows"]}
    assert 1e-2 < corr[(2, 16)] < 1e-1 and 1e-5 < corr[(4, 64)] < 1e-3
    # The second half: the SQ tolerance at which net2-gd stops finding f_S (k = 2, n = 8 and 16,
    # one seed), beside orthogonal-subsets.
    sq = json.load(open(tmp_path / "orthogonal_sq.json"))
    tau = {(s["n"], s["learner"], s["oracle"]): s for s in sq["summary"]}
    assert all(s["found_exact"] == 1 for s in sq["summary"])  # both find f_S with exact answers
    for n in (8, 16):
        for oracle in ("adversarial", "random"):
            # Trying every subset needs only a constant tolerance (the signal E[y f_S] is 1) ...
            assert tau[(n, "orthogonal-subsets", oracle)]["tau_gmean"] >= 0.1
            # ... gradient descent a smaller one.
            assert (tau[(n, "net2-gd", oracle)]["tau_gmean"]
                    < tau[(n, "orthogonal-subsets", oracle)]["tau_gmean"])
    # Adversarial answers: at n = 16 net2-gd stops at a tolerance at least 5 times below the
    # subsets' and below its own at n = 8.
    adversarial_16 = tau[(16, "net2-gd", "adversarial")]["tau_gmean"]
    assert adversarial_16 * 5 <= tau[(16, "orthogonal-subsets", "adversarial")]["tau_gmean"]
    assert adversarial_16 < tau[(8, "net2-gd", "adversarial")]["tau_gmean"]
    # Scalar queries at τ*: net2-gd (8 units, d = 8, 150 passes) reads 8² + 8 + 1 means for its
    # output layer and 1 + 8·8 + 2·8 + 1 per pass; orthogonal-subsets 3·C(8, 2) + 2, then 1 loss.
    runs = {(r["n"], r["learner"], r["oracle"]): r for r in sq["runs"]}
    assert runs[(8, "net2-gd", "adversarial")]["values"] == 73 + 150 * 82
    assert runs[(8, "orthogonal-subsets", "adversarial")]["values"] == 3 * 28 + 2 + 1
    assert (tmp_path / "orthogonal_sq.png").stat().st_size > 10000


def test_parity_boundary_gd_needs_samples_growing_with_n(tmp_path):
    run_quick("parity_boundary.py", tmp_path)
    found = json.load(open(tmp_path / "parity_boundary.json"))
    rate = {(r["n"], r["m"]): r["rate"] for r in found["rates"]}
    # 100 samples are too few to find a 2-sparse parity among 8 or 16 variables; 3000 suffice.
    assert rate[(8, 100)] == 0.0 and rate[(16, 100)] == 0.0
    assert rate[(8, 3000)] == 1.0 and rate[(16, 3000)] == 1.0
