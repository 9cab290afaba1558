"""The end of an assignment, as an instructor runs it: a realistic Gradescope export (30+
submissions: solutions in every upload shape, starters, every other catalogued bug, 2 uncatalogued
ones, a syntax error, a group of two, a notebook-only upload, a zip, misnamed and unreadable files) -> ``make grade``
with a roster -> the roster gradebook, the reconciliation with Gradescope, the LMS CSVs, one
student's regrade, the class report.

The export is graded once per test run (``make grade ... JOBS=2``) and the graded folder is
shared by the tests (and the xdist workers) that read it; the regrade works on a copy. Expected
scores come from already-graded equivalents: the solution's full marks, the starter's 0, and
each mutant graded alone (``conftest.graded_mutant``, shared with the catalog's own tests).
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import gradescope_export
import pytest
from conftest import by_name, graded_mutant, shared_dir
from filelock import FileLock

from autograder.batch import find_entries
from autograder.config import ROOT
from autograder.gradebook import CANVAS_COLUMNS, PLAIN_COLUMNS, merge, read_gradebook
from autograder.misconceptions import misconception_report
from autograder.submission import SubmissionError, load_submission

HW1 = by_name("hw1")
PLAN = gradescope_export.plan(HW1)
COMPARED = sum(1 for p in PLAN if p.gradescope.get("score", 0) is not None)  # those Gradescope has a score for
ROWS = len(PLAN) + 1 + 2  # a row per submitter (one group of two) and 2 roster students without a submission


def local_questions(p: gradescope_export.Planned) -> dict[str, float]:
    """The per-question scores grading this submission alone gives."""
    if p.mutant:
        return {q: v["score"] for q, v in graded_mutant(HW1.name, p.mutant).questions.items()}
    return {q.id: (q.points if p.expected == 100 else 0.0) for q in HW1.questions}


def expected_score(p: gradescope_export.Planned) -> float | None:
    return graded_mutant(HW1.name, p.mutant).score if p.mutant else p.expected


def make(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(["make", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def graded() -> dict:
    """The export, its roster, and the folder ``make grade`` wrote (once per test run)."""
    folder = shared_dir("gradescope-export")
    with FileLock(f"{folder}.lock"):
        done = folder / "done.json"
        if not done.is_file():
            zip_path, _ = gradescope_export.build(HW1, folder, local_questions)
            roster = gradescope_export.roster(PLAN, folder)
            run = make("grade", "HW=hw1", f"SUBMISSIONS={zip_path}", f"OUT={folder / 'out'}", f"ROSTER={roster}", "JOBS=2")
            done.write_text(json.dumps({"stdout": run.stdout, "stderr": run.stderr[-3000:], "returncode": run.returncode}))
    result = json.loads(done.read_text())
    assert result["returncode"] == 0, result["stdout"][-3000:] + result["stderr"]
    return {"zip": folder / "gradescope_export.zip", "out": folder / "out", "roster": folder / "roster.csv", "stdout": result["stdout"]}


def rows_of(out: Path) -> dict[str, list[dict]]:
    by_sub: dict[str, list[dict]] = {}
    for row in read_gradebook(out / "grades.csv"):
        by_sub.setdefault(row["submission"], []).append(row)
    return by_sub


def test_the_gradebook_names_every_submitter_with_the_score_of_their_files(graded):
    rows = rows_of(graded["out"])
    assert set(rows) == {p.id for p in PLAN} | {""}  # "": the roster's students without a submission
    for p in PLAN:
        got = rows[p.id]
        assert sorted((r["name"], r["email"], r["sid"]) for r in got) == sorted((x["name"], x["email"], x["sid"]) for x in p.people), p.id
        for r in got:  # a group's members each get the submission's score
            if p.kind:  # a bug in correlate2d: q2 lost
                assert float(r["q2"]) < 10 and float(r["score"]) < 100 and r["gradescope_score"] == r["difference"] == ""
            else:
                assert float(r["score"]) == pytest.approx(expected_score(p), abs=1e-3), (p.id, r["note"])
            assert r["status"] == p.status and p.note in r["note"], (p.id, r["status"], r["note"])
            assert r["submitted_at"].startswith("2025-10-") and r["max_score"] == "100.0"
    group = rows[PLAN[0].id]
    assert len(group) == 2 and group[0]["score"] == group[1]["score"] == "100.0"
    # Gradescope's results.json beside an upload is never the student's file
    feedback = (graded["out"] / PLAN[0].id / "feedback.md").read_text()
    assert "results.json" not in feedback and "Score: 100 / 100" in feedback
    # the roster: two students without a submission, one submitter not on it
    missing = rows[""]
    assert sorted(r["sid"] for r in missing) == [gradescope_export.person(97)["sid"], gradescope_export.person(98)["sid"]]
    assert all(r["status"] == "missing" and float(r["score"]) == 0 for r in missing)
    off = [r for sub in rows.values() for r in sub if r["on_roster"] == "no"]
    assert [r["submission"] for r in off] == [PLAN[-1].id]
    assert f"not on the roster: {PLAN[-1].people[0]['name']}" in graded["stdout"]
    assert f"{len(PLAN)} submission(s) graded" in graded["stdout"]
    assert f"{ROWS} row(s): {len(PLAN)} added, 0 replaced, 0 kept from earlier runs" in graded["stdout"]
    # the export is a zip whose metadata and folders are never rows of their own
    assert (graded["out"] / "roster.csv").is_file() and not (graded["out"] / "submission_metadata").exists()


def test_reconciliation_lists_the_submissions_gradescope_scored_differently(graded):
    out = graded["stdout"]
    assert f"Gradescope: {COMPARED} submission(s) compared, 2 differ by more than 0.01 points" in out
    by_hand, timed_out = PLAN[1], PLAN[3]
    assert f"{by_hand.id} (Student 02): here 100, Gradescope 90 (difference +10): Gradescope's tests add up to 100, its score is 90: adjusted by hand" in out
    assert f"{timed_out.id} (Student 04): here 100, Gradescope 80 (difference +20): q6: 0 on Gradescope, 20 here (on Gradescope it timed out)" in out
    rows = rows_of(graded["out"])
    assert rows[by_hand.id][0]["gradescope_score"] == "90.0" and rows[by_hand.id][0]["difference"] == "10.0"
    assert all(abs(float(r["difference"])) < 0.01 for p in PLAN if not p.gradescope for r in rows[p.id])
    assert COMPARED == len(PLAN) - 2  # the two still being graded there are not compared


def test_lms_csvs_round_trip_with_the_documented_columns(graded, tmp_path):
    gradebook = [r for r in read_gradebook(graded["out"] / "grades.csv")]
    by_sid = {r["sid"]: r for r in gradebook}
    for fmt in ("canvas", "csv"):
        target = tmp_path / f"{fmt}.csv"
        cmd = [sys.executable, "-m", "autograder", "gradebook", str(graded["out"]), "--format", fmt, "--output", str(target)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        with open(target, newline="") as f:
            lines = list(csv.reader(f))
        if fmt == "canvas":
            assert lines[0] == [*CANVAS_COLUMNS, "hw1 Convolution from scratch"]
            assert lines[1] == ["Points Possible", "", "", "", "", "100"]
            students = [dict(zip(["name", "id", "sid", "email", "section", "score"], line, strict=True)) for line in lines[2:]]
            assert all(s["id"] == "" and s["section"] == "" for s in students)
        else:
            assert lines[0] == PLAIN_COLUMNS
            students = [dict(zip(["sid", "email", "name", "score", "max_score"], line, strict=True)) for line in lines[1:]]
            assert {s["max_score"] for s in students} == {"100"}
        assert len(students) == len(gradebook) == ROWS
        for s in students:
            row = by_sid[s["sid"]]
            assert (s["name"], s["email"]) == (row["name"], row["email"])
            assert float(s["score"]) == pytest.approx(float(row["score"]), abs=1e-3)
        assert f"{len(students)} student(s)" in done.stdout


def test_regrading_one_student_updates_their_row_and_keeps_every_other(graded, tmp_path):
    """A regrade request: one student's folder from the export, an instructor's rename, into the
    existing gradebook: same rows, one updated, their feedback printed."""
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    before = read_gradebook(out / "grades.csv")
    misnamed = PLAN[9]  # uploaded hw1.py, rejected
    student = misnamed.people[0]
    run = make("grade", "HW=hw1", f"SUBMISSIONS={graded['zip']}", f"OUT={out}", f"ONLY={student['email']}", "RENAME=convolution.py=hw1.py")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    after = read_gradebook(out / "grades.csv")
    assert len(after) == len(before) == ROWS
    changed = [(b, a) for b, a in zip(before, after, strict=True) if a != b]
    assert len(changed) == 1
    old, new = changed[0]
    assert new["sid"] == student["sid"] and old["status"] == "rejected" and float(old["score"]) == 0
    assert new["status"] == "graded" and float(new["score"]) == 100 and new["note"] == "graded 'hw1.py' as 'convolution.py' (instructor's rename)"
    assert f"{ROWS} row(s): 0 added, 1 replaced, {len(PLAN) - 1} kept from earlier runs, 2 on the roster without a submission" in run.stdout
    assert f"# hw1_convolution feedback for {misnamed.id}" in run.stdout and "**Score: 100 / 100**" in run.stdout
    with pytest.raises(SubmissionError, match="no submission of 'nobody@example.edu'"):
        find_entries(graded["zip"], only="nobody@example.edu")


def test_a_gradebook_that_lost_rows_gets_them_back(graded, tmp_path):
    """The old data loss: grades.csv rewritten with one row while every other report was on disk."""
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    rows = read_gradebook(out / "grades.csv")
    (out / "grades.csv").write_text(",".join(rows[0]) + "\n" + ",".join(f'"{v}"' for v in rows[0].values()) + "\n")
    merged, summary = merge(HW1, {}, out)
    assert len(summary.recovered) == len(PLAN) - 1 and len(summary.kept) == 1
    assert {r["submission"] for r in merged} == {p.id for p in PLAN}
    _, export = find_entries(graded["zip"])
    merged, _ = merge(HW1, {}, out, export=export)  # with the export, they get their names back
    assert len(merged) == len(PLAN) + 1 and all(r["sid"] for r in merged)  # the group's two members


def test_the_class_report_counts_students_honestly_and_names_none(graded):
    text, png = misconception_report(HW1, graded["out"])
    lines = [" ".join(line.split()) for line in text.splitlines()]
    ran = sum(len(p.people) for p in PLAN if p.status == "graded")  # students: a group counts twice
    assert f"graded (their code ran) {ran}" in lines
    assert "failed to import 1" in lines and "upload rejected (see the note column) 7" in lines
    assert "missing (on the roster, no submission) 2" in lines
    assert "Student" not in text and "@" not in text
    for q in HW1.questions:  # the two starters: every question "not implemented"
        assert f"{q.id} {q.title} not implemented 2" in lines
    assert "(whole submission) upload rejected 7" in lines and "(whole submission) failed to import 1" in lines
    # the failures no catalog names get their own lines
    assert "q2 correlate2d float32 instead of float64 1" in lines and "q2 correlate2d modified its input in place 1" in lines
    diagnosed = {}
    for p in PLAN:
        if p.mutant and p.mutant in graded_mutant(HW1.name, p.mutant).diagnoses:
            diagnosed[p.mutant] = p.people[0]["name"]
    assert len(diagnosed) >= 8
    for mutant in diagnosed:
        assert any(line.endswith(f"* {mutant} 1") for line in lines), mutant
    named, _ = misconception_report(HW1, graded["out"], names=True)
    for mutant, name in diagnosed.items():
        at = named.splitlines().index(next(line for line in named.splitlines() if f"* {mutant} " in line))
        assert name in named.splitlines()[at + 1]
    assert png.is_file() and png.stat().st_size > 10_000


def test_an_unzipped_export_lists_its_submissions_only(graded, tmp_path):
    """The extracted folder: the metadata is no row, Gradescope's results.json is never a candidate."""
    with zipfile.ZipFile(graded["zip"]) as zf:
        zf.extractall(tmp_path)
    entries, export = find_entries(tmp_path)
    assert [e.name for e in entries] == sorted(p.id for p in PLAN)
    assert export.submissions[PLAN[0].id].submitters[1].sid == gradescope_export.person(99)["sid"]
    assert export.submissions[PLAN[0].id].results["score"] == 100
    first = load_submission(HW1, entries[0])
    assert first.origins == {"convolution.py": "convolution.py"} and first.notes == []
    assert (tmp_path / gradescope_export.ROOT_FOLDER / PLAN[0].id / "results.json").is_file()
    entries, export = find_entries(tmp_path / gradescope_export.ROOT_FOLDER, only=PLAN[0].people[1]["sid"])
    assert [e.name for e in entries] == [PLAN[0].id]


def test_rosters_from_gradescope_and_from_an_lms(tmp_path):
    from autograder.export import Submitter
    from autograder.gradebook import read_roster

    gradescope = tmp_path / "gradescope.csv"
    gradescope.write_text("First Name,Last Name,SID,Email,Role,Sections\nAda,Lovelace,0042,ada@example.edu,Student,\nTerry,TA,,ta@example.edu,TA,\n")
    assert read_roster(gradescope) == [Submitter("Ada Lovelace", "ada@example.edu", "0042")]
    canvas = tmp_path / "canvas.csv"
    canvas.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,hw1 (1)\n"
        "Points Possible,,,,,100\n"
        '"Lovelace, Ada",917,0042,ada@example.edu,Sec 1,\n'
        '"Student, Test",918,,,Sec 1,\n'
    )
    assert read_roster(canvas) == [Submitter("Lovelace, Ada", "ada@example.edu", "0042")]
    (tmp_path / "empty.csv").write_text("Name,Role\nNobody,Student\n")
    with pytest.raises(ValueError, match="no student with a SID or an email"):
        read_roster(tmp_path / "empty.csv")


def test_the_class_report_of_a_folder_without_a_gradebook(graded, tmp_path):
    """An older graded folder (report.json files only): one student per submission."""
    out = tmp_path / "out"
    shutil.copytree(graded["out"], out)
    (out / "grades.csv").unlink()
    text, _ = misconception_report(HW1, out)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    ran = sum(1 for p in PLAN if p.status == "graded")  # one student per submission
    assert f"graded (their code ran) {ran}" in lines and "upload rejected (see the note column) 7" in lines and "failed to import 1" in lines
