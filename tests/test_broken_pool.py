"""A submission that kills its grading process costs only itself, never its batch-mates."""

from __future__ import annotations

import csv
import os

from conftest import by_name

from autograder import batch


def _fake_grade_entry(assignment_name: str, entry, out_dir: str, renames=None, force=False) -> dict:
    """Stands in for grading in the pool process: the 'killer' entry kills that process (the
    filter now refuses every way a submission had to do it; a grader bug still could)."""
    a = by_name(assignment_name)
    if "killer" in entry.name:
        os._exit(1)
    row = {"submission": entry.name, "score": a.max_score, "max_score": a.max_score}
    row.update({q.id: q.points for q in a.questions})
    row.update(status="graded", diagnoses="", note="", seconds=0.0)
    return row


def test_a_broken_pool_is_retried_one_submission_at_a_time(tmp_path, monkeypatch):
    """The killer breaks the shared pool, taking its batch-mates' futures with it; each is
    graded again in a pool of its own, and only the killer (which breaks that one too) is charged."""
    monkeypatch.setattr(batch, "grade_entry", _fake_grade_entry)  # the forked pool processes see it
    monkeypatch.setattr(batch, "_init_pool", lambda: None)
    a = by_name("hw1")
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a_honest", "b_killer", "c_honest", "d_honest", "e_honest"):
        (subs / f"{name}.py").write_text("# nothing\n")
    rows = {r["submission"]: r for r in batch.grade_directory(a, subs, tmp_path / "out", jobs=2, progress=False).rows}
    assert rows["b_killer"]["status"] == "grader error" and "also when graded alone" in rows["b_killer"]["note"]
    assert all(rows[n]["status"] == "graded" and rows[n]["score"] == a.max_score for n in rows if n != "b_killer"), rows
    with open(tmp_path / "out" / "grades.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 5
