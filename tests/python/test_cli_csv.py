"""`relureg fit` reads CSV as common tools write it: header, quoted fields, CRLF line ends."""

import json

import numpy as np
import pandas as pd

import relureg


def test_fit_reads_quoted_crlf_csv_like_the_same_data_in_npy(tmp_path, run_cli):
    X, y, _ = relureg.make_instance("label-noise", n=500, d=3, seed=5, bias=0.2)
    frame = pd.DataFrame(X.astype(np.float64), columns=["age, years", 'dose "mg"', "bmi"])
    frame["y"] = y
    csv = tmp_path / "data.csv"
    # Every field quoted, Windows line ends: what spreadsheets and R's write.csv produce.
    frame.to_csv(csv, index=False, quoting=1, lineterminator="\r\n", float_format="%.17g")
    text = csv.read_bytes()
    assert text.startswith(b'"age, years","dose ""mg""","bmi","y"\r\n')
    np.save(tmp_path / "data.npy", X)
    np.save(tmp_path / "data.labels.npy", y)
    for source in ("data.csv", "data.npy"):
        run_cli("fit", tmp_path / source, "--learner", "glmtron", "--bias",
                "-o", tmp_path / f"{source}.json", "--quiet")
    from_csv = json.loads((tmp_path / "data.csv.json").read_text())
    from_npy = json.loads((tmp_path / "data.npy.json").read_text())
    assert from_csv["w"] == from_npy["w"] and from_csv["b"] == from_npy["b"]


def test_an_unclosed_quote_is_a_one_line_error(tmp_path, run_cli):
    csv = tmp_path / "bad.csv"
    csv.write_text('x1,x2,y\n1,2,3\n"4,5,6\n')
    done = run_cli("fit", csv, "--learner", "gd", "-o", tmp_path / "m.json", expect=1)
    assert done.stderr == f"relureg: error: {csv}:3: a quoted field is not closed on its line\n"
    assert not (tmp_path / "m.json").exists()
