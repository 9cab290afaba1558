"""The upload table on the Gradescope path: every plausible upload grades right or says exactly
why, through the autograder zip's ``prepare`` (the same rules as local grading: see
tests/test_submission.py) and, for a few shapes, the whole Gradescope simulator."""

from __future__ import annotations

import json
import zipfile

import pytest
from conftest import by_name
from test_gradescope import fake_autograder, needs_root, simulate_upload

from autograder.grade import grade_files
from autograder.mutants import solution_files
from autograder.otter_plugin import MULTI_FILE_STUB, prepare, upload_summary
from autograder.submission import load_submission

HW1 = by_name("hw1")
SOLUTION = solution_files(HW1)["convolution.py"]
CP1252 = "# -*- coding: cp1252 -*-\n# Léa Müller, hw1\n".encode("cp1252") + SOLUTION
NOTEBOOK = json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()

# upload (relative path -> bytes) -> (the uploaded path graded, or None; what the student is told)
TABLE = {
    "cp1252 with a coding line": ({"convolution.py": CP1252}, "convolution.py", "Graded: convolution.py."),
    "cp1252 without one": ({"convolution.py": "# Léa\n".encode("cp1252") + SOLUTION}, None,
                           "Nothing could be graded: convolution.py is not UTF-8 (byte 0xe9 on line 1; Windows editors often save as Windows-1252): save it as UTF-8 and upload again."),
    "UTF-16 (PowerShell >)": ({"convolution.py": SOLUTION.decode().encode("utf-16")}, None,
                              "Nothing could be graded: convolution.py is saved as UTF-16 (Windows editors and PowerShell's `>` do this): save it as UTF-8 and upload again."),
    "two different copies": ({"draft/convolution.py": SOLUTION, "final/convolution.py": SOLUTION + b"# final\n"}, None,
                             "Nothing could be graded: 2 different convolution.py found: draft/convolution.py, final/convolution.py; upload one."),
    "over the size cap": ({"convolution.py": SOLUTION + b"#" * (3 << 20)}, None,
                          "Nothing could be graded: convolution.py is 3.0 MB, over the 2 MB limit for a submitted file."),
    "PowerShell 5.1 zip, extracted": ({"hw1_convolution\\convolution.py": SOLUTION}, "hw1_convolution/convolution.py", "Graded: hw1_convolution/convolution.py (as convolution.py)."),
    "convolution - Copy.py": ({"convolution - Copy.py": SOLUTION, "notes.txt": b"x\n"}, "convolution - Copy.py",
                              "Graded: convolution - Copy.py (as convolution.py). Ignored (not graded; support files always come from the autograder): notes.txt."),
    "a notebook saved as .py": ({"convolution.py": NOTEBOOK}, None,
                                "Nothing could be graded: convolution.py holds a Jupyter notebook (JSON), not Python: export the code (File > Save and Export as > Python) or copy the functions into convolution.py."),
}  # fmt: skip


@pytest.mark.parametrize("shape", list(TABLE))
def test_prepare_grades_every_plausible_upload_or_says_why(shape, tmp_path):
    files, graded, told = TABLE[shape]
    root = fake_autograder(HW1, tmp_path / "ag")
    for name, data in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    manifest = prepare(str(root))
    summary = upload_summary(manifest)
    assert summary.startswith(told), summary
    if graded is None:
        assert manifest["graded"] == {} and [p.name for p in (root / "submission").iterdir()] == [MULTI_FILE_STUB]
        return
    assert manifest["graded"] == {"convolution.py": graded}
    source = (root / "submission" / "convolution.py").read_bytes()
    assert source.endswith(SOLUTION)  # what otter grades: the student's code (as UTF-8)
    compile(source, "convolution.py", "exec")


@needs_root
def test_simulator_grades_odd_uploads_like_local_grading(release, tmp_path):
    """A PowerShell 5.1 zip (backslash separators) of a cp1252 file with its coding line, and
    ``convolution - Copy.py``: full marks on Gradescope, as locally."""
    powershell = tmp_path / "submission.zip"
    with zipfile.ZipFile(powershell, "w") as zf:
        zf.writestr("hw1_convolution\\convolution.py", CP1252)
    local = load_submission(HW1, powershell)
    assert local.origins == {"convolution.py": "hw1_convolution/convolution.py"}
    assert grade_files(HW1, local.files).score == pytest.approx(100)
    run = simulate_upload(HW1, release, powershell)
    assert run.score == pytest.approx(100), json.dumps(run.results)[:2000]
    assert "Graded: hw1_convolution/convolution.py (as convolution.py)." in run.results["output"]

    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "convolution - Copy.py").write_bytes(SOLUTION)
    run = simulate_upload(HW1, release, copy)
    assert run.score == pytest.approx(100)
    assert "Graded: convolution - Copy.py (as convolution.py)." in run.results["output"]  # the note, on Gradescope
