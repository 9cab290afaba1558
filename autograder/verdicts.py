"""Rules over a whole submission, applied once every case has run (in the grader's process).

1. An error case counts only with a value case. A case can pass because the student's function
   raised (an expected ValueError); it counts only if that function also passes at least one
   case in which it returned normally. A stub that raises everywhere scores 0.
2. Root cause first: a failing check never blames a function when another function it calls
   fails its own hidden cases. The message points there ("this check also runs your edge_maps,
   which fails 8 hidden cases of its own: fix that first") and the diagnosis gives no "Likely
   cause" for that case. When the question's own hidden cases all pass, the line says so (the
   check is differentiating another of the student's functions: a finite-difference check
   calls the forward).

``Recorder`` is what sees the calls: it wraps the object a check receives as ``student``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .config import Assignment
from .proxy import StudentError
from .report import CaseResult


@dataclass
class Calls:
    """Which of the student's functions one case called, and how each call ended."""

    called: set[str] = field(default_factory=set)
    raised: set[str] = field(default_factory=set)  # the student's code raised an exception
    returned: set[str] = field(default_factory=set)  # returned normally


class Recorder:
    """Wraps the student object to record which functions a check calls and how each call
    ended (for diagnoses and the error-case rule); classes and other values pass through."""

    def __init__(self, student: Any) -> None:
        self._student, self.calls = student, Calls()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_convlab_"):  # the engine's own hooks (release_workers), not student code
            return getattr(self._student, name, None)
        self.calls.called.add(name)
        value = getattr(self._student, name)
        if isinstance(value, type) or not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                result = value(*args, **kwargs)
            except Exception as exc:
                # the student's own exception (through the proxy it carries etype), not a crash
                if getattr(exc, "etype", None) or not isinstance(exc, (StudentError, NotImplementedError)):
                    self.calls.raised.add(name)
                raise
            self.calls.returned.add(name)
            return result

        return call


def gate_error_cases(results: list[CaseResult], calls: dict[str, Calls]) -> None:
    """Rule 1, in place: zero the passing cases whose only success was raising."""
    proven = {fn for r in results if r.passed and r.device == "cpu" for fn in calls[r.case_id].returned}
    for r in results:
        unproven = sorted(calls[r.case_id].raised - proven) if r.passed else []
        if unproven:
            names = ", ".join(unproven)
            r.passed, r.score = False, 0.0
            r.message = (
                f"not counted yet: {names} raised an exception here as it should, but passes none of "
                f"its cases that compute a value; a function's error checks count once it computes something right"
            )


def _own_failures(results: list[CaseResult], calls: dict[str, Calls], question: str, fn: str) -> int:
    """How many CPU hidden cases of ``question`` that call ``fn`` fail."""
    return sum(
        1 for r in results
        if r.question == question and r.hidden and r.device == "cpu" and not r.passed and fn in calls[r.case_id].called
    )  # fmt: skip


def name_the_broken_function(assignment: Assignment, results: list[CaseResult], calls: dict[str, Calls]) -> set[str]:
    """Rule 2, in place: re-word the failing cases whose check calls a function (of another
    question) that fails its own hidden cases. Returns the ids of the cases re-worded."""
    owner = {fn: q.id for q in assignment.questions for fn in q.graded_functions}
    blamed: set[str] = set()
    for r in results:
        own = assignment.question(r.question).graded_functions
        if r.passed or not own:
            continue
        called = sorted(calls[r.case_id].called - set(own))
        broken = [(fn, n) for fn in called if fn in owner and owner[fn] != r.question and (n := _own_failures(results, calls, owner[fn], fn))]
        if not broken:
            continue
        hidden_cases = [x for x in results if x.question == r.question and x.hidden and x.device == "cpu"]
        theirs = "; ".join(f"{fn}, which fails {n} hidden case{'s' if n > 1 else ''}" for fn, n in broken)
        base = r.message.split("\nLikely cause:")[0]
        if hidden_cases and all(x.passed for x in hidden_cases):
            mine = " and ".join(own)
            r.message = f"{base}\nYour {mine} matches PyTorch on every hidden case; this check also runs your {theirs}: fix that first."
        else:
            r.message = f"{base}\nRoot cause first: this check also runs your {theirs} of its own: fix that first."
        r.diagnosis = ""
        blamed.add(r.case_id)
    return blamed
