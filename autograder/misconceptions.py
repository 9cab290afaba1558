"""The class report: how the class did and what to re-teach, from a graded folder.

``python -m autograder report hw1 OUT [--names]`` reads the gradebook ``OUT/grades.csv`` (one
row per student: a group's members count one each) and each ``OUT/<submission>/report.json``:

- **who was graded**: students whose code ran, whose file failed to import, whose upload was
  rejected (the note says why), grader errors, and roster students without a submission;
- **per question**: the mean score and how many graded students got full marks;
- **what went wrong, per question, in students**: each catalogued misconception (the mutant
  catalog's diagnosis) and, as their own bars, the failures no catalog names: not
  implemented, timed out, out of memory, an exception, modified its input in place, float32
  instead of float64, wrong shape, NaN, wrong return type, wrong values; a failed import and a
  rejected upload are counted once per student.

No student is named unless ``--names`` is given (for office hours): then each line lists the
students concerned. The same counts are saved as a chart, ``OUT/misconceptions.png``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .config import Assignment

# Failures without a diagnosis, by what the check's message says (first match wins).
FAILURES = (
    ("not implemented", ("is not implemented yet",)),
    ("timed out", ("timed out", "was not run again", "time budget")),
    ("ran out of memory", ("exceeded memory", "ran out of memory", "memoryerror")),
    ("raised an exception", ("raised an exception",)),
    ("modified its input in place", ("in place",)),
    ("float32 instead of float64", ("has dtype float32",)),
    ("wrong dtype", ("has dtype",)),
    ("wrong output shape", ("has shape", "items, expected")),
    ("NaN or infinite values", ("nan or infinite",)),
    ("wrong return type", ("is none (did", "expected a numpy.ndarray", "expected an int", "expected a float", "expected a tuple", "expected a list", "expected a dict", "unexpected result")),
    ("wrong values", ("values differ", "entries wrong", "expected")),
)
SUBMISSION_LEVEL = {"import error": "failed to import", "rejected": "upload rejected", "grader error": "grader error"}
SHAPE_HINT = "shape mismatch"  # the shape-only hint of grade._explain: a failure kind, not a misconception


def failure_kind(message: str) -> str:
    text = message.lower()
    return next((kind for kind, keys in FAILURES if any(k in text for k in keys)), "other failure")


@dataclass
class ClassReport:
    students: Counter = field(default_factory=Counter)  # status -> students
    means: dict[str, float] = field(default_factory=dict)  # question -> mean score of graded students
    full: dict[str, int] = field(default_factory=dict)  # question -> graded students with full marks
    causes: dict[tuple[str, str, bool], list[str]] = field(default_factory=lambda: defaultdict(list))  # (question, cause, catalogued) -> students
    graded: int = 0


def _students(out: Path) -> dict[str, list[dict]]:
    """submission -> its gradebook rows (one per student); from report.json alone without a gradebook."""
    path = out / "grades.csv"
    if path.is_file():
        from .gradebook import read_gradebook

        by_sub: dict[str, list[dict]] = defaultdict(list)
        for row in read_gradebook(path):
            by_sub[row.get("submission") or f"(missing) {row.get('name') or row.get('email') or row.get('sid')}"].append(row)
        return dict(by_sub)
    out_rows = {}
    for report in sorted(out.glob("*/report.json")):
        data = json.loads(report.read_text())
        r = data["report"]
        out_rows[report.parent.name] = [{"submission": report.parent.name, "status": data.get("status", ""), **{q: v["score"] for q, v in r["questions"].items()}}]
    return out_rows


def _label(row: dict) -> str:
    return row.get("name") or row.get("email") or row.get("sid") or row.get("submission") or "?"


def build(assignment: Assignment, out: Path) -> ClassReport:
    from .mutants import load_mutants

    catalog = {m.name for m in load_mutants(assignment)}
    report = ClassReport()
    scores: dict[str, list[float]] = defaultdict(list)
    for sub, rows in sorted(_students(out).items()):
        status = rows[0].get("status", "")
        report.students[status] += len(rows)
        names = [_label(r) for r in rows]
        if status in SUBMISSION_LEVEL:
            report.causes[("", SUBMISSION_LEVEL[status], False)] += names
        if status != "graded":
            continue
        report.graded += len(rows)
        for q in assignment.questions:
            value = float(rows[0].get(q.id) or 0)
            scores[q.id] += [value] * len(rows)
            report.full[q.id] = report.full.get(q.id, 0) + len(rows) * (value >= q.points - 1e-6)
        path = out / sub / "report.json"
        if not path.is_file():
            continue
        seen = set()
        for case in json.loads(path.read_text())["report"]["results"]:
            if case["passed"] or case["device"] != "cpu":
                continue
            diagnosis = case.get("diagnosis") or ""
            catalogued = diagnosis in catalog
            cause = diagnosis if catalogued else "wrong output shape" if diagnosis == SHAPE_HINT else failure_kind(case["message"])
            if (case["question"], cause) not in seen:
                seen.add((case["question"], cause))
                report.causes[(case["question"], cause, catalogued)] += names
    report.means = {q: sum(v) / len(v) for q, v in scores.items() if v}
    return report


def render(assignment: Assignment, report: ClassReport, out: Path, names: bool = False) -> str:
    total = sum(n for s, n in report.students.items() if s != "missing")
    lines = [f"{assignment.name}: class report of {out} ({total} student(s) with a submission)", ""]
    for status, label in [("graded", "graded (their code ran)"), ("import error", "failed to import"), ("rejected", "upload rejected (see the note column)"), ("grader error", "grader error"), ("missing", "missing (on the roster, no submission)")]:
        if report.students.get(status) or status in ("graded", "import error", "rejected"):
            lines.append(f"  {label:<40} {report.students.get(status, 0):>5}")
    titles = {q.id: q.title for q in assignment.questions}
    lines += ["", f"per question, over the {report.graded} graded student(s):", f"  {'question':<28} {'mean':>14} {'full marks':>18}"]
    for q in assignment.questions:
        if q.id in report.means:
            full = report.full.get(q.id, 0)
            lines.append(f"  {q.id + ' ' + q.title:<28} {report.means[q.id]:>7.1f} / {q.points:<5g} {full:>6} of {report.graded} ({100 * full / max(report.graded, 1):.0f}%)")
    lines += ["", "what went wrong (students; * = a catalogued misconception, with its diagnosis):"]
    items = sorted(report.causes.items(), key=lambda kv: (kv[0][0] == "", kv[0][0], -len(kv[1]), kv[0][1]))
    width = max([len(c) for (_, c, _) in report.causes] + [20])
    for (question, cause, catalogued), who in items:
        where = f"{question} {titles.get(question, '')}" if question else "(whole submission)"
        lines.append(f"  {where:<28} {'*' if catalogued else ' '} {cause:<{width}} {len(who):>5}")
        if names:
            lines.append(f"  {'':<28}   {', '.join(sorted(who))}")
    if not items:
        lines.append("  (nothing failed)")
    return "\n".join(lines)


def plot(assignment: Assignment, report: ClassReport, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(report.causes.items(), key=lambda kv: (len(kv[1]), kv[0][0]))
    labels = [f"{q or 'all'}: {c}{' *' if cat else ''}" for (q, c, cat), _ in items] or ["(nothing failed)"]
    values = [len(who) for _, who in items] or [0]
    questions = [q.id for q in assignment.questions]
    colors = plt.cm.tab10.colors
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 0.32 * max(len(labels), len(questions)) + 2), gridspec_kw={"width_ratios": [1, 2.2]})
    rates = [100 * report.full.get(q, 0) / max(report.graded, 1) for q in questions]
    left.barh(questions[::-1], rates[::-1], color=[colors[i % 10] for i in range(len(questions))][::-1])
    left.set_xlim(0, 100)
    left.set_xlabel(f"% of {report.graded} graded students with full marks")
    left.set_title("per question")
    bar_colors = [colors[questions.index(q) % 10] if q in questions else "0.5" for (q, _, _), _ in items] or None
    right.barh(labels, values, color=bar_colors)
    right.set_xlabel("students")
    right.set_title("what went wrong (* = catalogued misconception)")
    right.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(f"{assignment.name}: what to re-teach")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def misconception_report(assignment: Assignment, out: Path, names: bool = False) -> tuple[str, Path]:
    if not out.is_dir():
        raise FileNotFoundError(f"{out} is not a graded folder (run `python -m autograder grade` first)")
    report = build(assignment, out)
    if not report.students:
        raise FileNotFoundError(f"{out} holds no graded submission (no grades.csv, no */report.json)")
    return render(assignment, report, out, names), plot(assignment, report, out / "misconceptions.png")
