"""Grading results: case results -> a report -> Gradescope ``results.json`` and ``feedback.md``.

``to_results_json`` is the one serializer to Gradescope's format, used by local grading and by
the autograder zip alike: one test per question and kind, "public checks" (``visible``: students
see them as soon as they upload) and "hidden tests" (the assignment's ``hidden_results``: by
default ``after_published``, shown once grades are published). Each test's ``output`` lists the
failing cases with their message and diagnosis, in the student's words only: no engine calls,
case ids or otter line numbers. The top-level ``score`` is always present, so a crash still
yields a valid file. ``student_view`` renders a results.json the way Gradescope shows it to a
student, before and after publishing.
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
    upload: str = ""  # which uploaded files were graded and which ignored (``upload_summary``)
    hidden_results: str = "after_published"  # the hidden tests' Gradescope visibility
    titles: dict[str, str] = field(default_factory=dict)  # question id -> title

    def finish(self, assignment: Assignment, seconds: float) -> None:
        """Total the per-question scores (rounded to avoid float dust)."""
        self.questions = {q.id: {"score": 0.0, "max_score": q.points} for q in assignment.questions}
        self.titles = {q.id: q.title for q in assignment.questions}
        self.hidden_results = assignment.hidden_results
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


# What students are told about when they see what, by ``hidden_results``: the README and every
# handout state it in these words (a test holds them to it), and check.py prints it.
WHEN_STUDENTS_SEE = {
    "after_published": (
        "On Gradescope you see the public checks of each question as soon as you upload. The hidden "
        "tests of each question (every failing case with its message and likely cause) and your total "
        "score appear when your instructor publishes the grades."
    ),
    "hidden": (
        "On Gradescope you see the public checks of each question as soon as you upload. The hidden "
        "tests' results are never shown to students; your score appears when your instructor publishes "
        "the grades."
    ),
    "visible": (
        "On Gradescope you see everything as soon as you upload: the public checks and the hidden tests "
        "of each question (every failing case with its message and likely cause) and your total score."
    ),
}
MAX_TEST_OUTPUT_CHARS = 12_000


def upload_summary(manifest: dict) -> str:
    """One paragraph for the student: which uploaded files were graded, which ignored.

    ``manifest``: ``graded`` (expected name -> uploaded path), ``ignored``, ``notes``,
    ``uploaded`` and ``error`` (nothing gradable), as ``otter_plugin.prepare`` records them.
    """
    if manifest.get("error"):
        return manifest["error"] + f" Uploaded: {', '.join(manifest.get('uploaded') or ['nothing'])}."
    graded = ", ".join(f"{origin} (as {name})" if origin != name else name for name, origin in manifest["graded"].items())
    text = f"Graded: {graded}."
    for note in manifest.get("notes", []):
        if note.startswith("missing file"):
            text += f" Not found: {note.removeprefix('missing file(s): ')}."
    if manifest.get("ignored"):
        text += f" Ignored (not graded; support files always come from the autograder): {', '.join(manifest['ignored'])}."
    return text


def _failures(cases: list[CaseResult]) -> list[str]:
    """The failing cases of one test, as the student reads them: the case, its message, its diagnosis."""
    lines, previous = [], None
    for r in cases:
        if r.passed:
            continue
        label = r.title + ("" if r.device == "cpu" else f" [on {r.device}]")
        message = r.message.removeprefix(f"{r.title}: ")  # most messages repeat the case's title
        lines += ["", f"FAIL {label}"]
        if message == previous:
            lines.append("    the same message as the case above")
            continue
        lines += ["    " + line for line in _clip(message, MAX_MESSAGE_CHARS).splitlines()]
        previous = message
    return lines


def _question_test(qid: str, title: str, cases: list[CaseResult], hidden: bool, visibility: str) -> dict[str, Any]:
    cpu = [r for r in cases if r.device == "cpu"]
    passed = sum(r.passed for r in cpu)
    kind = "hidden tests" if hidden else "public checks"
    output = "\n".join([f"{passed} of {len(cpu)} {kind} passed."] + _failures(cases))
    diagnoses = list(dict.fromkeys(r.diagnosis for r in cases if r.diagnosis))
    return {
        "name": f"{qid} {title}: {kind}",
        "score": round(sum(r.score for r in cpu), 4),
        "max_score": round(sum(r.max_score for r in cpu), 4),
        "status": "passed" if all(r.passed for r in cases) else "failed",
        "visibility": visibility,
        "output": _clip(output, MAX_TEST_OUTPUT_CHARS),
        "tags": [qid, "hidden" if hidden else "public"] + [f"diagnosis:{d}" for d in diagnoses],
    }


def _top_output(report: Report) -> str:
    """The paragraph above the tests: what was graded, the notes, and when results are shown."""
    parts = [report.upload] if report.upload else []
    # the upload summary already names the missing files
    parts += [n for n in report.notes if not (report.upload and n.startswith("missing file"))]
    if report.hidden_results == "visible":
        parts.append(f"Score: {report.score:g} / {report.max_score:g}.")
    parts.append(WHEN_STUDENTS_SEE.get(report.hidden_results, ""))
    return "\n\n".join(p for p in parts if p)


def to_results_json(report: Report) -> dict[str, Any]:
    """The Gradescope ``results.json`` for a report: per question, one test for its public checks
    (visible) and one for its hidden tests (``report.hidden_results``)."""
    tests = []
    if report.error:
        tests.append({"name": "Submission could not be loaded", "status": "failed", "visibility": "visible", "output": _clip(report.error, MAX_MESSAGE_CHARS)})
    titles = dict(report.titles)
    for qid, q in report.questions.items():
        cases = [r for r in report.results if r.question == qid]
        for hidden in (False, True):
            mine = [r for r in cases if r.hidden == hidden]
            if mine:
                visibility = report.hidden_results if hidden else "visible"
                tests.append(_question_test(qid, titles.get(qid, ""), mine, hidden, visibility))
        if not cases:  # every question is present, even when nothing ran
            reason = report.error.splitlines()[0] if report.error else "not graded"
            tests.append({"name": f"{qid} {titles.get(qid, '')}: not graded", "score": 0.0, "max_score": q["max_score"], "status": "failed", "visibility": "visible", "output": reason})
    for number, test in enumerate(tests, start=1):
        test["number"] = str(number)
    return {
        "score": report.score,
        "execution_time": report.seconds,
        "output": _top_output(report),
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "devices_checked": report.devices,
            "diagnoses": report.diagnoses,
            "device_note": report.device_note,
            "questions": report.questions,
            "hidden_results": report.hidden_results,
        },
    }


def _shown(visibility: str, published: bool) -> bool:
    """Gradescope's rule for one test: ``visible`` always, ``after_published`` (and
    ``after_due_date``, here taken as passed once grades are out) when published, ``hidden`` never."""
    return visibility == "visible" or (published and visibility in ("after_published", "after_due_date"))


def student_view(results: dict[str, Any], published: bool = False) -> str:
    """A results.json as Gradescope shows it to a student: the visible tests in order, with the
    total only when every test is visible or the grades are published."""
    tests = [t for t in results.get("tests", []) if isinstance(t, dict)]
    total = sum(float(t.get("max_score", 0) or 0) for t in tests)
    everything_visible = all(t.get("visibility", "visible") == "visible" for t in tests)
    state = "after grades are published" if published else "before grades are published"
    lines = [f"What the student sees on Gradescope, {state}", ""]
    if published or everything_visible:
        lines.append(f"Autograder score: {results.get('score', 0):g} / {total:g}")
    else:
        lines.append("Autograder score: shown when grades are published")
    if results.get("output"):
        lines += ["", str(results["output"])]
    for test in tests:
        if not _shown(test.get("visibility", "visible"), published):
            continue
        points = f" ({test['score']:g} / {test['max_score']:g})" if "max_score" in test else ""
        mark = "PASS" if test.get("status") == "passed" else "FAIL"
        lines += ["", f"[{mark}] {test.get('name', '')}{points}"]
        lines += ["    " + line for line in str(test.get("output", "")).splitlines()]
    later = sum(1 for t in tests if not _shown(t.get("visibility", "visible"), published) and _shown(t.get("visibility", ""), True))
    never = sum(1 for t in tests if not _shown(t.get("visibility", "visible"), True))
    if later:
        lines += ["", f"({later} more test(s) appear when grades are published)"]
    if never:
        lines += ["", f"({never} test(s) are never shown to students)"]
    return "\n".join(lines) + "\n"


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
