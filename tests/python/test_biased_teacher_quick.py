"""The biased-teacher experiment (experiments/biased_teacher/run.sh) in its --quick mode."""

import os
import subprocess

import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_quick_run_writes_the_table_and_separates_gv25_under_cancelling_noise(
        tmp_path, relureg_binary):
    doc, fig = tmp_path / "bt.md", tmp_path / "bt.png"
    env = dict(os.environ, RELUREG=str(relureg_binary), OUT=str(tmp_path / "out"), DOC=str(doc),
               FIG=str(fig))
    subprocess.run(["bash", os.path.join(ROOT, "experiments", "biased_teacher", "run.sh"),
                    "--quick"], check=True, env=env, capture_output=True, cwd=ROOT)
    text = doc.read_text()
    assert "## Adversarial noise cancelling E[y x]" in text
    assert "| gv25 + bias |" in text and "| gkk19 + bias |" in text
    assert fig.stat().st_size > 20000
    adv = pd.read_csv(tmp_path / "out" / "adversarial" / "results.csv")
    ind = pd.read_csv(tmp_path / "out" / "independent" / "results.csv")
    assert (adv["status"] == "ok").all() and (ind["status"] == "ok").all()

    def ratios(frame, learner, offset):
        part = frame[(frame["learner"] == learner) & (frame["family.offset"] == offset)]
        assert len(part) == 2  # two seeds
        return part["ratio_to_opt"]

    # Cancelling noise at b* = -2: gv25 within 3·opt; the surrogate and moment learners at the
    # best constant's level (about 11·opt).
    assert (ratios(adv, "gv25", -2.0) <= 3).all()
    for learner in ("moment", "glmtron", "wzdd23"):
        assert (ratios(adv, learner, -2.0) > 5).all(), learner
    # Independent noise at b* = -1: every learner with a bias but gkk19 within 10 % of opt.
    for learner in ("moment", "gd", "glmtron", "dktz22", "wzdd23", "gv25"):
        assert (ratios(ind, learner, -1.0) < 1.1).all(), learner
