"""Rules over a whole submission, applied once every case has run (in the grader's process).

1. An error case counts only with a value case. A case can pass because the student's function
   raised (an expected ValueError); it counts only if that function also passes at least one
   case in which it returned normally. A stub that raises everywhere scores 0.
2. A failing check never blames a function that matches PyTorch. When a case of a question fails
   while every hidden case of that question passes, the check is differentiating another of
   the student's functions (a finite-difference check calls the forward): the message names
   that function instead of offering a misleading "Likely cause".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .config import Assignment
from .report import CaseResult


@dataclass
class Calls:
    """Which of the student's functions one case called, and how each call ended."""

    called: set[str] = field(default_factory=set)
    raised: set[str] = field(default_factory=set)  # the student's code raised an exception
    returned: set[str] = field(default_factory=set)  # returned normally


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


def _failed_hidden(results: list[CaseResult], question: str) -> int:
    return sum(1 for r in results if r.question == question and r.hidden and r.device == "cpu" and not r.passed)


def name_the_broken_function(assignment: Assignment, results: list[CaseResult], calls: dict[str, Calls]) -> None:
    """Rule 2, in place: re-word the failing cases whose own question passes every hidden case."""
    owner = {fn: q.id for q in assignment.questions for fn in q.graded_functions}
    for r in results:
        question = assignment.question(r.question)
        own = question.graded_functions
        hidden_cases = [x for x in results if x.question == r.question and x.hidden and x.device == "cpu"]
        if r.passed or not own or not hidden_cases or any(not x.passed for x in hidden_cases):
            continue
        broken = [(fn, _failed_hidden(results, owner[fn])) for fn in sorted(calls[r.case_id].called - set(own)) if fn in owner]
        broken = [(fn, n) for fn, n in broken if n]
        if not broken:
            continue
        mine = " and ".join(own)
        theirs = "; ".join(f"{fn}, which fails {n} hidden case{'s' if n > 1 else ''}" for fn, n in broken)
        base = r.message.split("\nLikely cause:")[0]
        r.message = f"{base}\nYour {mine} matches PyTorch on every hidden case; this check also runs your {theirs}: fix that first."
        r.diagnosis = ""
