"""`relureg lift-parity` on parity data sets written by an independent generator (numpy)."""

import json

import numpy as np
import pytest


def boolean_parity(n, d, S, eta, seed):
    """Uniform b in {-1, 1}^(n x d); label chi_S(b) flipped with probability eta."""
    rng = np.random.default_rng(seed)
    b = rng.choice([-1.0, 1.0], size=(n, d))
    label = np.prod(b[:, S], axis=1) * np.where(rng.random(n) < eta, -1.0, 1.0)
    return b, label


def write_csv(path, b, label, label_name="label"):
    header = ",".join([f"b{j}" for j in range(b.shape[1])] + [label_name])
    rows = [",".join(f"{v:g}" for v in row) + f",{lab:g}" for row, lab in zip(b, label)]
    path.write_text(header + "\n" + "\n".join(rows) + "\n")


def test_lifted_rows_are_gaussian_with_the_boolean_signs(tmp_path, run_cli):
    b, label = boolean_parity(20000, 12, [2, 7], 0.1, seed=11)
    write_csv(tmp_path / "parity.csv", b, label)
    done = run_cli("lift-parity", tmp_path / "parity.csv", "--label", "label", "-o",
                   tmp_path / "lifted.npy", "--seed", 4)
    assert done.stdout == (f"wrote {tmp_path / 'lifted.npy'} (20000 rows, 12 features; labels "
                           "-1/1 -> y in {0, 1})\n")
    x = np.load(tmp_path / "lifted.npy")
    y = np.load(tmp_path / "lifted.labels.npy")
    assert x.dtype == np.float32 and x.shape == (20000, 12)
    np.testing.assert_array_equal(np.sign(x), b)
    np.testing.assert_array_equal(y, (1 + label) / 2)
    # |x_j| is half-normal: E|g| = sqrt(2/pi), E g^2 = 1 (standard errors 0.0013 and 0.0029 for
    # the 240000 values).
    assert abs(np.abs(x).mean() - np.sqrt(2 / np.pi)) < 0.006
    assert abs((x.astype(np.float64) ** 2).mean() - 1) < 0.012
    # Coordinates are uncorrelated, as under N(0, I).
    c = np.corrcoef(x.T)
    assert np.abs(c - np.eye(12)).max() < 0.04
    assert not (tmp_path / "lifted.truth.json").exists()  # no --set: no ground truth
    # The same seed gives the same file; another seed other magnitudes.
    run_cli("lift-parity", tmp_path / "parity.csv", "--label", "label", "-o",
            tmp_path / "again.npy", "--seed", 4, "--quiet")
    np.testing.assert_array_equal(np.load(tmp_path / "again.npy"), x)
    run_cli("lift-parity", tmp_path / "parity.csv", "--label", "label", "-o",
            tmp_path / "other.npy", "--seed", 5, "--quiet")
    assert (np.load(tmp_path / "other.npy") != x).mean() > 0.99


def test_recover_parity_finds_the_planted_set_of_a_lifted_data_set(tmp_path, run_cli):
    b, label = boolean_parity(30000, 14, [3, 9], 0.1, seed=12)
    np.save(tmp_path / "parity.npy", b.astype(np.float32))
    np.save(tmp_path / "parity.labels.npy", (1 + label) / 2)  # 0/1 labels
    run_cli("lift-parity", tmp_path / "parity.npy", "-o", tmp_path / "lifted.npy", "--quiet")
    # Without a ground truth the parity's size is given with --k.
    found = json.loads(run_cli("recover-parity", tmp_path / "lifted.npy", "--learner",
                               "exhaustive-subsets", "--k", 2, "--quiet").stdout)
    assert found["found"], found["message"]
    assert found["recovered"] == [3, 9]
    assert found["k"] == 2
    # With the planted set, lift-parity writes the exact ground truth: opt of the 2-parity at
    # eta = 0.1 is 0.358945 (lab-design.md section 1), and recover-parity checks against it.
    done = run_cli("lift-parity", tmp_path / "parity.npy", "-o", tmp_path / "known.npy", "--set",
                   "9,3", "--eta", 0.1)
    truth = json.loads((tmp_path / "known.truth.json").read_text())
    assert truth["family"] == "sparse-parity"
    assert truth["facts"]["S"] == [3, 9] and truth["facts"]["k"] == 2
    assert truth["homogeneous"]["opt"] == pytest.approx(0.358945, abs=2e-6)
    assert truth["facts"]["b0"] == pytest.approx(0.5 - 1 / (4 * np.pi), abs=1e-12)
    assert "opt = 0.358945, exact" in done.stdout
    checked = json.loads(run_cli("recover-parity", tmp_path / "known.npy", "--learner",
                                 "exhaustive-subsets", "--quiet").stdout)
    assert checked["truth"]["correct"] and checked["threshold_rule"] == "b0 - gap/2"
    # Every learner reads the lifted file; its fit is scored against the exact opt.
    run_cli("fit", tmp_path / "known.npy", "--learner", "exhaustive-subsets", "-o",
            tmp_path / "m.json", "--quiet")
    score = json.loads(run_cli("evaluate", "--model", tmp_path / "m.json", tmp_path / "known.npy",
                               "--truth", tmp_path / "known.truth.json").stdout)
    assert score["opt"] == pytest.approx(0.358945, abs=2e-6)
    assert 1 <= score["ratio_to_opt"] < 1.01
    run_cli("fit", tmp_path / "known.npy", "--learner", "moment", "-o", tmp_path / "mm.json",
            "--quiet")
    moment = json.loads(run_cli("evaluate", "--model", tmp_path / "mm.json",
                                tmp_path / "known.npy", "--truth",
                                tmp_path / "known.truth.json").stdout)
    # E[yx] = 0 on a 2-parity: the moment estimator does no better than the no-information
    # loss b0 = opt + gap.
    assert moment["population_loss"] > truth["facts"]["b0"] - 0.002
    assert moment["population_loss"] > score["opt"] + 0.95 * truth["facts"]["gap"]


@pytest.mark.parametrize(
    "cells, message",
    [
        ({(2, 1): "0.5"}, "{csv}:4:2: feature 0.5 is not Boolean (expected -1 or 1)"),
        ({(0, 0): "0"}, "{csv}:2:1: feature 0 is not Boolean (expected -1 or 1)"),
        ({(1, 3): "2"}, "{csv}:3:4: label 2 is not Boolean (expected -1 or 1, or 0 or 1)"),
        ({(1, 3): "0", (3, 3): "-1"},
         "{csv}:5:4: label -1 mixes the encodings: an earlier row has label 0 (labels are all -1 "
         "or 1, or all 0 or 1)"),
    ],
)
def test_a_non_boolean_cell_is_a_located_error_and_nothing_is_written(tmp_path, run_cli, cells,
                                                                       message):
    rows = [["1", "-1", "1", "1"], ["-1", "-1", "1", "1"], ["1", "1", "-1", "1"],
            ["1", "1", "1", "1"]]
    for (r, c), v in cells.items():
        rows[r][c] = v
    csv = tmp_path / "bad.csv"
    csv.write_text("a,b,c,y\n" + "\n".join(",".join(r) for r in rows) + "\n")
    done = run_cli("lift-parity", csv, "-o", tmp_path / "out.npy", "--set", "0,1", "--eta", 0,
                   expect=1)
    assert done.stderr == "relureg: error: " + message.format(csv=csv) + "\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_npy_errors_name_the_row_and_column_and_a_bad_set_writes_nothing(tmp_path, run_cli):
    b = np.ones((5, 3), dtype=np.float32)
    b[3, 2] = -2
    np.save(tmp_path / "p.npy", b)
    np.save(tmp_path / "p.labels.npy", np.ones(5))
    done = run_cli("lift-parity", tmp_path / "p.npy", "-o", tmp_path / "out.csv", expect=1)
    assert done.stderr == (f"relureg: error: {tmp_path / 'p.npy'}: row 4, column 3: feature -2 "
                           "is not Boolean (expected -1 or 1)\n")
    b[3, 2] = 1
    np.save(tmp_path / "p.npy", b)
    np.save(tmp_path / "p.labels.npy", np.array([1.0, 1.0, 0.25, 1.0, 1.0]))
    done = run_cli("lift-parity", tmp_path / "p.npy", "-o", tmp_path / "out.csv", expect=1)
    assert done.stderr == (f"relureg: error: {tmp_path / 'p.labels.npy'}: row 3: label 0.25 is "
                           "not Boolean (expected -1 or 1, or 0 or 1)\n")
    np.save(tmp_path / "p.labels.npy", np.ones(5))
    done = run_cli("lift-parity", tmp_path / "p.npy", "-o", tmp_path / "out.csv", "--set", "1,3",
                   "--eta", 0.1, expect=1)
    assert done.stderr == ("relureg: error: the parity's set S must list distinct indices below "
                           "d = 3\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.labels.npy", "p.npy"]


def test_the_column_of_a_csv_error_counts_the_label_column_where_the_header_puts_it(tmp_path,
                                                                                     run_cli):
    csv = tmp_path / "bad.csv"
    csv.write_text("a,y,b,c\n\n1,0,1,1\n1,1,-1,3\n")  # a blank line is skipped, not counted
    done = run_cli("lift-parity", csv, "-o", tmp_path / "out.csv", expect=1)
    assert done.stderr == (f"relureg: error: {csv}:4:4: feature 3 is not Boolean (expected -1 "
                           "or 1)\n")
