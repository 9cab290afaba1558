"""`python -m autograder grade`: a folder of mixed entries in, a gradebook and feedback out."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import zipfile

from conftest import by_name

from autograder.config import ROOT


def make_submissions(tmp_path):
    a = by_name("hw1")
    solution = (a.solution_dir / "convolution.py").read_bytes()
    starter = (a.starter_dir / "convolution.py").read_bytes()
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.py").write_bytes(solution)
    (subs / "bob").mkdir()
    (subs / "bob" / "convolution.py").write_bytes(starter)
    with zipfile.ZipFile(subs / "carol.zip", "w") as zf:
        zf.writestr("hw1/Convolution (1).py", solution)
        zf.writestr("../../evil.py", b"print('escaped')\n")
    (subs / "dave.zip").write_bytes(b"PK\x03\x04 this is not a zip")
    (subs / "erin.ipynb").write_text("{}")
    (subs / "frank.py").write_bytes(solution.replace(b"def conv2d_backward(", b"def conv2d_backward(:"))
    return subs


def read_gradebook(path):
    with open(path, newline="") as f:
        return {row["submission"]: row for row in csv.DictReader(f)}


def test_grade_folder_of_mixed_entries(tmp_path):
    subs, out = make_submissions(tmp_path), tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder", "grade", "hw1", str(subs), "--out", str(out), "--jobs", "2"]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "grading hw1_convolution" in done.stderr  # the tqdm progress bar
    rows = read_gradebook(out / "grades.csv")
    assert set(rows) == {"alice", "bob", "carol", "dave", "erin", "frank"}
    columns = list(next(iter(rows.values())))
    assert columns[:6] == ["submission", "name", "email", "sid", "score", "max_score"] and {"q1", "q7", "gradescope_score", "difference"} <= set(columns)
    assert float(rows["alice"]["score"]) == 100 and float(rows["bob"]["score"]) == 0
    assert float(rows["carol"]["score"]) == 100 and "graded 'hw1/Convolution (1).py' as 'convolution.py'" in rows["carol"]["note"]
    assert rows["dave"]["status"] == "rejected" and "not a valid zip" in rows["dave"]["note"]
    assert rows["erin"]["status"] == "rejected" and "notebook" in rows["erin"]["note"]
    assert float(rows["frank"]["score"]) == 0 and rows["frank"]["status"] == "import error"
    assert not (tmp_path / "evil.py").exists() and not (ROOT / "evil.py").exists()
    for name in rows:
        results = json.loads((out / name / "results.json").read_text())
        assert "score" in results and isinstance(results["tests"], list)
        assert (out / name / "feedback.md").read_text().startswith("# hw1_convolution feedback")
    feedback = (out / "frank" / "feedback.md").read_text()
    assert "SyntaxError" in feedback and "line" in feedback
    results = json.loads((out / "alice" / "results.json").read_text())
    visibilities = {t["visibility"] for t in results["tests"] if "hidden" in t.get("tags", [])}
    assert visibilities == {"after_published"}
    assert results["extra_data"]["devices_checked"][0] == "cpu"

    # a rerun resumes: nothing regraded, identical gradebook
    stamp = (out / "alice" / "report.json").stat().st_mtime_ns
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0
    assert (out / "alice" / "report.json").stat().st_mtime_ns == stamp
    assert read_gradebook(out / "grades.csv") == rows


def test_make_grade_default_grades_the_bundled_examples(tmp_path):
    out = tmp_path / "grades"
    done = subprocess.run(["make", "grade", "HW=hw1", f"OUT={out}"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = read_gradebook(out / "grades.csv")
    assert float(rows["solution"]["score"]) == 100 and float(rows["starter"]["score"]) == 0
    a = by_name("hw1")
    examples = {p.stem for p in (a.directory / "examples").glob("*.py")}
    assert examples <= set(rows)
