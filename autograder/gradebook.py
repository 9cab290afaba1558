"""The gradebook: ``grades.csv``, one row per student, merged, reconciled, and shaped for an LMS.

``grades.csv`` has one row per submitter (a group submission gives each member a row with the
same score), keyed by the submission folder it came from::

    submission,name,email,sid,score,max_score,q1..qN,status,diagnoses,note,
    submitted_at,gradescope_score,difference,on_roster,seconds

``status`` is ``graded``, ``import error``, ``rejected`` (the upload rules refused it: the note
says why), ``grader error`` or ``missing`` (on the roster, no submission: score 0).
``difference`` is the local score minus Gradescope's, when the export has one.

Nothing is ever lost: a run merges into the gradebook already in its output folder. Rows of
submissions not graded in this run are kept as they are; a submission whose ``report.json`` is
in the folder but whose row is gone (an older version rewrote the file) gets its row back.
The roster given once (``--roster``) is kept in the folder as ``roster.csv`` and used again.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import Assignment
from .export import Export, Submitter
from .report import Report

IDENTITY = ["name", "email", "sid"]
GRADESCOPE = ["submitted_at", "gradescope_score", "difference"]
ROSTER_FILE = "roster.csv"
TOLERANCE = 0.01  # points: a smaller difference with Gradescope is float dust, not a disagreement


def columns(assignment: Assignment) -> list[str]:
    questions = [q.id for q in assignment.questions]
    return ["submission", *IDENTITY, "score", "max_score", *questions, "status", "diagnoses", "note", *GRADESCOPE, "on_roster", "seconds"]


def atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def submission_row(assignment: Assignment, report: Report, status: str) -> dict:
    """The gradebook row of one graded submission (identity columns are added by ``merge``)."""
    row = {"submission": report.submission, "score": report.score, "max_score": report.max_score}
    for q in assignment.questions:
        row[q.id] = report.questions.get(q.id, {}).get("score", 0.0)
    row["status"] = status
    row["diagnoses"] = "; ".join(report.diagnoses)
    lines = [line.strip() for line in (report.error or "; ".join(report.notes[:2])).splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].endswith(":"):  # "could not import convolution.py:" + the exception's last line
        lines[0] = f"{lines[0]} {lines[-1]}"
    row["note"] = lines[0][:200] if lines else ""
    row["seconds"] = report.seconds
    return row


def read_gradebook(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write_gradebook(assignment: Assignment, rows: list[dict], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns(assignment), lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    atomic_write(path, buf.getvalue())


# ---------------------------------------------------------------- roster

_NAME = ("name", "full name", "student name", "student")
_EMAIL = ("email", "e-mail", "email address", "sis login id", "login id")


def _pick(row: dict, keys: tuple[str, ...]) -> str:
    lowered = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
    for key in keys:
        if lowered.get(key):
            return lowered[key]
    return ""


def read_roster(path: Path) -> list[Submitter]:
    """Students of a roster CSV: Gradescope's (``First Name, Last Name, SID, Email, Role``) or an
    LMS export (Canvas: ``Student, ID, SIS User ID, SIS Login ID``). Staff rows (a ``Role`` other
    than student), Canvas's ``Points Possible`` line and its test student are skipped."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    students = []
    for row in rows:
        lowered = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        role = lowered.get("role", "student").lower()
        name = _pick(row, _NAME) or " ".join(filter(None, (lowered.get("first name", ""), lowered.get("last name", ""))))
        if role not in ("student", "") or name.lower() in ("points possible", "test student", "student, test"):
            continue
        sid = _pick(row, ("sid", "student id", "sis user id", "student number")) or ("" if "sis user id" in lowered else lowered.get("id", ""))
        email = _pick(row, _EMAIL)
        if sid or email:
            students.append(Submitter(name, email, sid))
    if not students:
        raise ValueError(f"{path}: no student with a SID or an email (columns: {', '.join(rows[0]) if rows else 'none'})")
    return students


def save_roster(students: list[Submitter], path: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "email", "sid"])
    writer.writerows([s.name, s.email, s.sid] for s in students)
    atomic_write(path, buf.getvalue())


class RosterIndex:
    """Who is on a roster, by SID and by email (case-insensitive)."""

    def __init__(self, people: list[Submitter]) -> None:
        self.sids = {p.sid for p in people if p.sid}
        self.emails = {p.email.lower() for p in people if p.email}

    def __contains__(self, person: Submitter) -> bool:
        return bool((person.sid and person.sid in self.sids) or (person.email and person.email.lower() in self.emails))


# ---------------------------------------------------------------- merge


@dataclass
class Summary:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)
    missing: int = 0
    off_roster: list[dict] = field(default_factory=list)
    rows: int = 0

    def __str__(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.replaced)} replaced"]
        if self.unchanged:
            parts.append(f"{len(self.unchanged)} unchanged (already graded)")
        parts.append(f"{len(self.kept)} kept from earlier runs")
        if self.recovered:
            parts.append(f"{len(self.recovered)} restored from their report.json")
        if self.missing:
            parts.append(f"{self.missing} on the roster without a submission (missing, 0)")
        return f"{self.rows} row(s): " + ", ".join(parts)


def _identities(sub: str, export: Export | None, old: list[dict], roster: list[Submitter] | None) -> list[dict]:
    """The identity columns of a submission's rows: from the export, else from its earlier rows,
    else (a plain folder entry named by a SID or an email) from the roster, else blank."""
    if export and sub in export.submissions:
        meta = export.submissions[sub]
        people = meta.submitters or [Submitter()]
        gs = "" if meta.score is None else meta.score
        return [{"name": p.name, "email": p.email, "sid": p.sid, "submitted_at": meta.submitted_at, "gradescope_score": gs} for p in people]
    if old:
        return [{k: r.get(k, "") for k in [*IDENTITY, "submitted_at", "gradescope_score"]} for r in old]
    match = [p for p in roster or [] if p.matches(sub)]
    if match:
        return [{"name": match[0].name, "email": match[0].email, "sid": match[0].sid}]
    return [{}]


def _expand(row: dict, identities: list[dict]) -> list[dict]:
    out = []
    for identity in identities:
        full = {**row, **{k: identity.get(k, "") for k in [*IDENTITY, "submitted_at", "gradescope_score"]}}
        gs = full["gradescope_score"]
        full["difference"] = round(float(row["score"]) - float(gs), 4) if gs not in ("", None) else ""
        out.append(full)
    return out


def recover(assignment: Assignment, out: Path, known: set[str]) -> dict[str, dict]:
    """Rows of the submissions graded into ``out`` (their ``report.json``) that are not in
    ``known``: what an older gradebook lost."""
    rows = {}
    for path in sorted(out.glob("*/report.json")):
        if path.parent.name in known:
            continue
        try:
            data = json.loads(path.read_text())
            report = Report.from_dict(data["report"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        rows[path.parent.name] = submission_row(assignment, report, data.get("status", ""))
    return rows


def merge(
    assignment: Assignment,
    fresh: dict[str, dict],
    out: Path,
    export: Export | None = None,
    roster: list[Submitter] | None = None,
    unchanged: set[str] = frozenset(),
    previous: list[dict] | None = None,
    recovered: dict[str, dict] | None = None,
) -> tuple[list[dict], Summary]:
    """The gradebook after this run: its ``fresh`` rows (submission -> row) over the gradebook
    already in ``out`` (``previous``: its rows before the run; ``recovered``: rows rebuilt from
    reports it had lost), nothing dropped."""
    old_rows = previous if previous is not None else read_gradebook(out / "grades.csv")
    old: dict[str, list[dict]] = {}
    for r in old_rows:
        if r.get("status") != "missing" and r.get("submission"):
            old.setdefault(r["submission"], []).append(r)
    summary = Summary()
    rows: list[dict] = []
    for sub, row in fresh.items():
        rows += _expand(row, _identities(sub, export, old.get(sub, []), roster))
        (summary.unchanged if sub in unchanged else summary.replaced if sub in old else summary.added).append(sub)
    for sub, kept in old.items():
        if sub not in fresh:
            if export and sub in export.submissions:  # the export knows better who they are
                rows += _expand(kept[0], _identities(sub, export, kept, roster))
            else:
                rows += [dict(r) for r in kept]
            summary.kept.append(sub)
    if recovered is None:
        recovered = recover(assignment, out, set(old))
    for sub, row in recovered.items():
        if sub in fresh:
            continue
        rows += _expand(row, _identities(sub, export, [], roster))
        summary.recovered.append(sub)
    on_roster = RosterIndex(roster or [])
    for row in rows:
        person = Submitter(row.get("name", ""), row.get("email", ""), row.get("sid", ""))
        row["on_roster"] = "" if roster is None else ("yes" if person in on_roster else "no")
        if row["on_roster"] == "no":
            summary.off_roster.append(row)
    submitted = RosterIndex([Submitter(r.get("name", ""), r.get("email", ""), r.get("sid", "")) for r in rows])
    for student in roster or []:
        if student not in submitted:
            blank = {q.id: 0.0 for q in assignment.questions}
            rows.append({"submission": "", "name": student.name, "email": student.email, "sid": student.sid, "score": 0.0, "max_score": assignment.max_score, **blank, "status": "missing", "note": "on the roster, no submission", "on_roster": "yes"})
            summary.missing += 1
    rows.sort(key=lambda r: (r.get("status") == "missing", r.get("submission", ""), r.get("name", ""), r.get("email", "")))
    summary.rows = len(rows)
    return rows, summary


# ---------------------------------------------------------------- reconciliation

_CAUSES = (
    ("timed out", "timed out"),
    ("ran out of time", "ran out of time"),
    ("time budget", "ran out of its time budget"),
    ("exceeded memory", "ran out of memory"),
    ("out of memory", "ran out of memory"),
    ("memoryerror", "ran out of memory"),
    ("killed", "was killed"),
)


@dataclass
class Mismatch:
    submission: str
    students: str
    local: float
    gradescope: float
    reason: str

    def __str__(self) -> str:
        who = f" ({self.students})" if self.students else ""
        return f"{self.submission}{who}: here {self.local:g}, Gradescope {self.gradescope:g} (difference {self.local - self.gradescope:+g}): {self.reason}"


def _question_of(name: str, qids: set[str]) -> str | None:
    match = re.match(r"\s*([A-Za-z]\w*)", name)
    return match.group(1) if match and match.group(1) in qids else None


def _cause(texts: list[str]) -> str:
    joined = " ".join(texts).lower()
    return next((cause for key, cause in _CAUSES if key in joined), "")


def explain(assignment: Assignment, row: dict, gradescope_score: float, status: str, results: dict | None) -> str:
    """Why Gradescope's score differs from ours, from its results, when they say."""
    if status and status != "processed":
        return f"Gradescope's status is {status!r}"
    tests = [t for t in (results or {}).get("tests") or [] if isinstance(t, dict)]
    if not tests:
        output = str((results or {}).get("output") or "").strip().splitlines()
        return "Gradescope has no test results for it" + (f" ({output[0][:120]})" if output else "")
    qids = {q.id for q in assignment.questions}
    by_question: dict[str, list[dict]] = {}
    for t in tests:
        q = _question_of(str(t.get("name", "")), qids)
        if q:
            by_question.setdefault(q, []).append(t)
    reasons, zeros = [], []
    for q in assignment.questions:
        here = float(row.get(q.id) or 0)
        if q.id not in by_question:
            reasons.append(f"{q.id} missing from Gradescope's results" + (f" ({here:g} here)" if here else ""))
            continue
        there = sum(float(t.get("score") or 0) for t in by_question[q.id])
        if abs(there - here) > TOLERANCE:
            cause = _cause([str(t.get("output", "")) for t in by_question[q.id]])
            reasons.append(f"{q.id}: {there:g} on Gradescope, {here:g} here" + (f" (on Gradescope it {cause})" if cause else ""))
            zeros.append(there == 0 and not cause)
    if zeros and len(zeros) == len(reasons) == len(assignment.questions) and all(zeros):
        reasons = ["every question 0 on Gradescope"]
    if reasons and row.get("note"):
        reasons.append(f"here: {row['note']}")
    if reasons:
        return "; ".join(reasons)
    total = sum(float(t.get("score") or 0) for t in tests)
    if abs(total - gradescope_score) > TOLERANCE:
        return f"Gradescope's tests add up to {total:g}, its score is {gradescope_score:g}: adjusted by hand (a late penalty, a regrade?)"
    cause = _cause([str(results.get("output", ""))] + [str(t.get("output", "")) for t in tests])
    return f"per question the same; on Gradescope it {cause}" if cause else "unknown (per question the results agree)"


def reconcile(assignment: Assignment, rows: list[dict], export: Export | None, graded: set[str] | None = None) -> tuple[int, list[Mismatch]]:
    """(submissions compared, those whose score differs from Gradescope's by more than 0.01)."""
    if export is None:
        return 0, []
    compared, mismatches, seen = 0, [], set()
    for row in rows:
        sub = row.get("submission", "")
        meta = export.submissions.get(sub)
        if sub in seen or meta is None or meta.score is None or (graded is not None and sub not in graded):
            continue
        seen.add(sub)
        compared += 1
        local = float(row["score"])
        if abs(local - meta.score) > TOLERANCE:
            students = ", ".join(p.name or p.email or p.sid for p in meta.submitters)
            mismatches.append(Mismatch(sub, students, local, meta.score, explain(assignment, row, meta.score, meta.status, meta.results)))
    return compared, mismatches


# ---------------------------------------------------------------- LMS upload

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
PLAIN_COLUMNS = ["sid", "email", "name", "score", "max_score"]


def per_student(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """One row per student (by SID, else email): the best score if a student is in several
    submissions; rows with neither are left out. Returns (rows, warnings)."""
    best: dict[str, dict] = {}
    warnings, left_out = [], []
    for row in rows:
        key = (row.get("sid") or "").strip() or (row.get("email") or "").strip().lower()
        if not key:
            left_out.append(row.get("submission", "?"))
            continue
        if key in best:
            warnings.append(f"{key} is in several submissions ({best[key]['submission']}, {row['submission']}): the higher score is used")
            if float(row["score"]) <= float(best[key]["score"]):
                continue
        best[key] = row
    if left_out:
        warnings.append(f"{len(left_out)} row(s) without a SID or an email left out: {', '.join(left_out[:10])}")
    return sorted(best.values(), key=lambda r: (r.get("name", ""), r.get("sid", ""))), warnings


def lms_csv(rows: list[dict], fmt: str, column: str, max_score: float) -> tuple[str, int, list[str]]:
    """(CSV text, number of students, warnings) for an LMS gradebook import.

    ``canvas``: ``Student, ID, SIS User ID, SIS Login ID, Section, <column>``, a ``Points
    Possible`` line, then one line per student: the name, Canvas's own ID left blank, the SID as
    SIS User ID, the email as SIS Login ID (Canvas matches a line by ID, then SIS User ID, then
    SIS Login ID). ``csv``: ``sid, email, name, score, max_score``."""
    students, warnings = per_student(rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if fmt == "canvas":
        writer.writerow([*CANVAS_COLUMNS, column])
        writer.writerow(["Points Possible", "", "", "", "", f"{max_score:g}"])
        for r in students:
            writer.writerow([r.get("name", ""), "", r.get("sid", ""), r.get("email", ""), "", f"{float(r['score']):g}"])
    elif fmt == "csv":
        writer.writerow(PLAIN_COLUMNS)
        for r in students:
            writer.writerow([r.get("sid", ""), r.get("email", ""), r.get("name", ""), f"{float(r['score']):g}", f"{float(r['max_score']):g}"])
    else:
        raise ValueError(f"unknown format {fmt!r}: canvas or csv")
    return buf.getvalue(), len(students), warnings
