"""Grading results: case results -> a report -> Gradescope ``results.json`` and ``feedback.md``.

``to_results_json`` is the one serializer to Gradescope's format: hidden cases are
``after_published`` (students see them once grades are published), public ones ``visible``;
the top-level ``score`` is always present, so a crash still yields a valid file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .config import Assignment

MAX_MESSAGE_CHARS = 4000
MAX_OUTPUT_CHARS = 100_000  # above the worker's own cap (Limits.output_kb), which keeps its note


@dataclass
class CaseResult:
    """The outcome of one case on one device."""

    case_id: str
    question: str
    title: str
    device: str
    hidden: bool
    score: float
    max_score: float
    passed: bool
    message: str
    diagnosis: str = ""

    def __repr__(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        return f"<{mark} {self.case_id}@{self.device} {self.score:g}/{self.max_score:g}>"


@dataclass
class Report:
    """Everything known about one graded submission."""

    assignment: str
    submission: str
    max_score: float
    results: list[CaseResult] = field(default_factory=list)
    questions: dict[str, dict[str, float]] = field(default_factory=dict)
    score: float = 0.0
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    output: str = ""
    devices: list[str] = field(default_factory=list)
    device_note: str = ""
    seconds: float = 0.0

    def finish(self, assignment: Assignment, seconds: float) -> None:
        """Total the per-question scores (rounded to avoid float dust)."""
        self.questions = {q.id: {"score": 0.0, "max_score": q.points} for q in assignment.questions}
        for r in self.results:
            self.questions[r.question]["score"] += r.score
        for q in self.questions.values():
            q["score"] = round(q["score"], 4)
        self.score = round(sum(q["score"] for q in self.questions.values()), 4)
        self.seconds = round(seconds, 3)

    @property
    def diagnoses(self) -> list[str]:
        """The misconceptions diagnosed in this submission, each once, in case order."""
        return list(dict.fromkeys(r.diagnosis for r in self.results if r.diagnosis))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Report":
        data = dict(data)
        data["results"] = [CaseResult(**r) for r in data.get("results", [])]
        return cls(**data)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n... [{len(text) - limit} more characters]"


def to_results_json(report: Report) -> dict[str, Any]:
    """The Gradescope ``results.json`` for a report."""
    tests = []
    if report.error:
        tests.append({"name": "Submission could not be loaded", "status": "failed", "visibility": "visible", "output": _clip(report.error, MAX_MESSAGE_CHARS)})
    for note in report.notes:
        tests.append({"name": "Note", "status": "passed", "visibility": "visible", "output": note})
    for number, r in enumerate(report.results, start=1):
        tests.append(
            {
                "name": f"{r.question} {r.title}" + ("" if r.device == "cpu" else f" [{r.device}]"),
                "number": str(number),
                "score": round(r.score, 4),
                "max_score": round(r.max_score, 4),
                "status": "passed" if r.passed else "failed",
                "visibility": "after_published" if r.hidden else "visible",
                "output": _clip(r.message, MAX_MESSAGE_CHARS),
                "tags": [r.question, r.device] + (["hidden"] if r.hidden else ["public"]) + ([f"diagnosis:{r.diagnosis}"] if r.diagnosis else []),
            }
        )
    graded = {r.question for r in report.results}
    for qid, q in report.questions.items():  # every question is present, even when nothing ran
        if qid not in graded:
            reason = report.error.splitlines()[0] if report.error else "not graded"
            tests.append({"name": f"{qid} (not graded)", "score": 0.0, "max_score": q["max_score"], "status": "failed", "visibility": "visible", "output": reason})
    return {
        "score": report.score,
        "execution_time": report.seconds,
        "output": f"{report.assignment}: {report.score:g} / {report.max_score:g}. Checked on: {', '.join(report.devices)}. {report.device_note}".strip(),
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "devices_checked": report.devices,
            "diagnoses": report.diagnoses,
            "device_note": report.device_note,
            "questions": report.questions,
            "submission": report.submission,
        },
    }


def to_feedback_md(report: Report) -> str:
    """What the student is shown: total, per question pass/fail and every failing message."""
    lines = [f"# {report.assignment} feedback for {report.submission}", "", f"**Score: {report.score:g} / {report.max_score:g}**", ""]
    if report.error:
        lines += ["## Your submission could not be loaded", "", "```", _clip(report.error, MAX_MESSAGE_CHARS), "```", ""]
    for note in report.notes:
        lines += [f"> {note}", ""]
    for qid, q in report.questions.items():
        cases = [r for r in report.results if r.question == qid]
        passed = sum(r.passed for r in cases)
        mark = "PASS" if passed == len(cases) and cases else "FAIL"
        lines += [f"## {qid}: {q['score']:g} / {q['max_score']:g} ({mark}, {passed} of {len(cases)} checks passed)", ""]
        previous = None
        for r in cases:
            kind = "hidden" if r.hidden else "public"
            device = "" if r.device == "cpu" else f" [{r.device}]"
            if r.passed:
                lines.append(f"- PASS {r.title}{device} ({kind})")
            elif r.message == previous:
                lines.append(f"- FAIL {r.title}{device} ({kind}): the same message as above")
            else:
                lines.append(f"- FAIL {r.title}{device} ({kind})")
                lines += ["", "  ```", *("  " + line for line in _clip(r.message, MAX_MESSAGE_CHARS).splitlines()), "  ```"]
            previous = None if r.passed else r.message
        lines.append("")
    lines.append(f"_References computed on: {', '.join(report.devices)}. {report.device_note}_")
    lines.append("")
    if report.output.strip():
        lines += ["## What your code printed", "", "```", _clip(report.output, MAX_OUTPUT_CHARS), "```", ""]
    return "\n".join(lines)
