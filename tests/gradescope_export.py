"""A realistic Gradescope "Export Submissions" zip for hw1, built from the solution, the starter,
mutants and the odd uploads students make, with the metadata Gradescope writes.

The layout and keys follow real exports: ``assignment_<id>_export/submission_metadata.yml``
(Ruby-symbol keys: ``:submitters:`` with ``:name:``, ``:sid:`` (quoted), ``:email:``;
``:created_at:`` as ``2023-12-02 02:52:07.938335000 Z``; ``:score:``; ``:status: processed``;
``:results:``, Gradescope's results.json; ``:history:``) beside one ``submission_<id>/`` folder
per submission holding what was uploaded, sometimes with Gradescope's ``results.json``.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from autograder.mutants import load_mutants, mutant_files, solution_files, starter_files

ROOT_FOLDER = "assignment_4242_export/"
FLOAT32 = b"""

_correlate2d_float64 = correlate2d


def correlate2d(image, kernel):
    return _correlate2d_float64(image, kernel).astype(np.float32)
"""
IN_PLACE = b"""

_correlate2d_pure = correlate2d


def correlate2d(image, kernel):
    out = _correlate2d_pure(image, kernel)
    image[...] = 0.0
    return out
"""


@dataclass
class Planned:
    """One submission of the export and what grading it must give."""

    id: str
    files: dict[str, bytes]
    people: list[dict]
    expected: float | None  # None: the score of ``mutant`` graded alone (conftest.graded_mutant)
    status: str = "graded"
    note: str = ""  # a substring of the gradebook note
    mutant: str = ""
    gradescope: dict = field(default_factory=dict)  # where Gradescope disagrees: its "score", a question that "timed_out" there
    kind: str = ""  # a bug no catalog names: "float32", "in place" (its score is not checked, only its report line)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def person(i: int) -> dict:
    return {"name": f"Student {i:02d}", "sid": f"0{6700000 + i}", "email": f"student{i:02d}@example.edu"}


def plan(a) -> list[Planned]:
    """30+ submissions: solutions in every upload shape, starters, every other mutant, 2 other bugs, a
    group of two, and uploads that cannot be graded (each with the message it must get)."""
    sol = solution_files(a)["convolution.py"]
    starter = starter_files(a)["convolution.py"]
    notebook = json.dumps({"cells": [{"cell_type": "code", "source": ["import numpy as np"]}], "metadata": {}, "nbformat": 4}).encode()
    cp1252 = "# -*- coding: cp1252 -*-\n# Léa's convolution\n".encode("cp1252") + sol
    shapes: list[tuple[dict[str, bytes], float | None, str, str]] = [
        ({"convolution.py": sol}, 100, "graded", ""),
        ({"hw1_convolution/convolution.py": sol, "hw1_convolution/check.py": b"print('check')\n", "hw1_convolution/README.md": b"# hw1\n"}, 100, "graded", ""),
        ({"submission.zip": _zip({"convolution.py": sol})}, 100, "graded", "a zip inside the upload"),
        ({"Convolution (1).py": sol}, 100, "graded", "should be named convolution.py"),
        ({"hw1_convolution.py": sol, "notes.txt": b"todo\n"}, 100, "graded", "graded 'hw1_convolution.py' as 'convolution.py'"),
        ({"convolution - Copy.py": sol}, 100, "graded", "graded 'convolution - Copy.py' as 'convolution.py'"),
        ({"convolution.py": cp1252}, 100, "graded", ""),
        ({"hw1_convolution\\convolution.py": sol}, 100, "graded", ""),  # a PowerShell zip, extracted on Linux
        ({"convolution.py.txt": sol}, 100, "graded", "should be named convolution.py"),
        ({"hw1.py": sol}, 0, "rejected", "no convolution.py found (found: hw1.py)"),  # regraded with a rename in a test
        ({"convolution.py": starter}, 0, "graded", ""),
        ({"hw1_convolution/convolution.py": starter, "hw1_convolution/explore.ipynb": b"{}"}, 0, "graded", ""),
        ({"convolution.py": (a.directory / "examples" / "syntax_error.py").read_bytes()}, 0, "import error", ""),
        ({"explore.ipynb": notebook}, 0, "rejected", "no convolution.py found (found: explore.ipynb)"),
        ({"convolution.py": notebook}, 0, "rejected", "convolution.py holds a Jupyter notebook (JSON), not Python"),
        ({"convolution.py": ("# café\n" + "x = 1\n" * 10).encode("utf-16")}, 0, "rejected", "convolution.py is saved as UTF-16"),
        ({"draft/convolution.py": sol, "final/convolution.py": starter}, 0, "rejected", "2 different convolution.py found: draft/convolution.py, final/convolution.py"),
        ({"convolution.py": sol + b"#" * (3 << 20)}, 0, "rejected", "convolution.py is 3.0 MB, over the 2 MB limit"),
        ({}, 0, "rejected", "no convolution.py found (found: no files)"),  # in the metadata, no folder
    ]
    out = []
    for i, (files, score, status, note) in enumerate(shapes, start=1):
        out.append(Planned(f"submission_{900000 + i}", files, [person(i)], score, status, note))
    # two bugs no catalog names (the class report gives them their own lines); still being
    # graded on Gradescope when the export was made: no score there
    for kind, bug in (("float32", FLOAT32), ("in place", IN_PLACE)):
        i = len(out) + 1
        out.append(Planned(f"submission_{900000 + i}", {"convolution.py": sol + bug}, [person(i)], None, note="", mutant="", gradescope={"score": None}, kind=kind))
    mutants = load_mutants(a)[::2]  # every other bug of the catalog
    for j, mutant in enumerate(mutants, start=len(out) + 1):
        files = mutant_files(a, mutant)
        out.append(Planned(f"submission_{900000 + j}", files, [person(j)], None, mutant=mutant.name))
    # a group of two: one submission, two students, one score each
    out[0].people = [person(1), person(99)]
    # Gradescope disagrees twice: a score adjusted by hand, and a question that timed out there
    out[1].gradescope = {"score": 90.0}
    out[3].gradescope = {"score": 80.0, "timed_out": "q6"}
    return out


def gradescope_results(a, questions: dict[str, float], output: str = "") -> dict:
    """Gradescope's results.json of a submission: one test per question."""
    tests = [{"name": f"{q.id} {q.title}", "score": questions.get(q.id, 0.0), "max_score": q.points, "output": "", "visibility": "visible"} for q in a.questions]
    return {"score": sum(questions.values()), "tests": tests, "output": output, "visibility": "visible"}


def metadata(a, planned: list[Planned], local_questions) -> str:
    """``submission_metadata.yml`` written as Gradescope (Ruby) writes it; Gradescope's scores agree
    with the local ones (``local_questions(p)``: question -> score) except where ``p.gradescope`` says."""
    lines = ["---"]
    for k, p in enumerate(planned):
        questions = dict(local_questions(p))
        timed_out = p.gradescope.get("timed_out")
        if timed_out:
            questions[timed_out] = 0.0
        score = p.gradescope.get("score", round(sum(questions.values()), 4))
        score = "" if score is None else float(score)
        results = gradescope_results(a, questions)
        for test in results["tests"]:
            if test["name"].split()[0] == timed_out:
                test["output"] = f"{test['name'].split()[1]} timed out after 10 s (infinite loop, or far too slow?)"
        lines.append(f"{p.id}:")
        lines.append("  :submitters:")
        for x in p.people:
            lines += [f"  - :name: {x['name']}", f"    :sid: '{x['sid']}'", f"    :email: {x['email']}"]
        lines += [f"  :created_at: 2025-10-{1 + k % 28:02d} 2{k % 4}:15:07.938335000 Z", f"  :score: {score}", "  :status: processed", "  :results:"]
        lines += ["    " + line for line in yaml.safe_dump(results, sort_keys=False).splitlines()]
        lines.append("  :history: []")
    return "\n".join(lines) + "\n"


def build(a, target: Path, local_questions) -> tuple[Path, list[Planned]]:
    """Write the export zip into ``target``; returns it and the plan."""
    planned = plan(a)
    zip_path = target / "gradescope_export.zip"
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(ROOT_FOLDER + "submission_metadata.yml", metadata(a, planned, local_questions))
        for p in planned:
            for name, data in p.files.items():
                zf.writestr(f"{ROOT_FOLDER}{p.id}/{name}", data)
            if p.files and p.expected == 100:  # Gradescope sometimes leaves its results.json beside the upload
                zf.writestr(f"{ROOT_FOLDER}{p.id}/results.json", json.dumps(gradescope_results(a, local_questions(p))))
    return zip_path, planned


def roster(planned: list[Planned], target: Path) -> Path:
    """Gradescope's roster CSV: every submitter but one, two students who submitted nothing,
    and a TA (skipped)."""
    people = [x for p in planned for x in p.people if x["sid"] != planned[-1].people[0]["sid"]]
    people += [person(97), person(98)]
    lines = ["First Name,Last Name,SID,Email,Role,Sections"]
    lines += [f"{x['name'].split()[0]},{x['name'].split()[1]},{x['sid']},{x['email']},Student," for x in people]
    lines.append("Terry,Assistant,,ta@example.edu,TA,")
    path = target / "roster.csv"
    path.write_text("\n".join(lines) + "\n")
    return path
