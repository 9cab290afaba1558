"""The misconception report: what a graded folder says the class should be re-taught.

``python -m autograder report hw1 OUT`` reads every ``OUT/<student>/report.json`` written by
``grade``, counts the students with each diagnosis per question, prints the table and saves it
as a bar chart ``OUT/misconceptions.png``.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from .config import Assignment


def count_misconceptions(out: Path) -> tuple[Counter, int]:
    """(question, diagnosis) -> number of students, and the number of reports read."""
    counts: Counter = Counter()
    reports = 0
    for path in sorted(out.glob("*/report.json")):
        report = json.loads(path.read_text())["report"]
        reports += 1
        seen = {(r["question"], r["diagnosis"]) for r in report["results"] if r.get("diagnosis")}
        counts.update(seen)
    return counts, reports


def render_table(assignment: Assignment, counts: Counter, reports: int) -> str:
    titles = {q.id: q.title for q in assignment.questions}
    rows = sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    width = max([len(d) for (_, d) in counts] + [len("misconception")])
    lines = [f"{assignment.name}: misconceptions in {reports} graded submission(s)", ""]
    lines.append(f"{'question':<24} {'misconception':<{width}} {'students':>8}")
    for (question, diagnosis), n in rows:
        lines.append(f"{question + ' ' + titles.get(question, ''):<24} {diagnosis:<{width}} {n:>8}")
    if not rows:
        lines.append("(no diagnosis: every failure was unexplained, or nothing failed)")
    return "\n".join(lines)


def plot(assignment: Assignment, counts: Counter, reports: int, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = sorted(counts.items(), key=lambda kv: (kv[0][0], kv[1]))
    labels = [f"{q}: {d}" for (q, d), _ in items] or ["(none)"]
    values = [n for _, n in items] or [0]
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(labels) + 1.6))
    questions = sorted({q for (q, _), _ in items})
    colors = plt.cm.tab10.colors
    ax.barh(labels, values, color=[colors[questions.index(q) % 10] for (q, _), _ in items] or None)
    ax.set_xlabel(f"students (of {reports} graded)")
    ax.set_title(f"{assignment.name}: what to re-teach (diagnosed misconceptions per question)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def misconception_report(assignment: Assignment, out: Path) -> tuple[str, Path]:
    if not out.is_dir():
        raise FileNotFoundError(f"{out} is not a graded folder (run `python -m autograder grade` first)")
    counts, reports = count_misconceptions(out)
    if reports == 0:
        raise FileNotFoundError(f"{out} holds no graded submission (no */report.json)")
    return render_table(assignment, counts, reports), plot(assignment, counts, reports, out / "misconceptions.png")
