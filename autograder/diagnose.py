"""Explain a graded submission: facts about every failed comparison, and a misconception only
when it explains the whole submission.

This pass runs once every case of a submission has run (``grade.grade_files`` calls it last),
fed with what each case showed (``Seen``: passed or not, the outputs and the reference of a
failed comparison, a self-asserting check's message, the functions it called). It returns a
``Finding`` per failing case: the lines to add to its message and the diagnosis to tag it with.

1. **Error anatomy** (``autograder/anatomy.py``): every failed array comparison gets the facts
   that were verified on its arrays ("What differs: db is exactly the reference divided by 40").
2. **A catalog line must explain the whole submission.** Each assignment's mutant catalog
   (``assignments/<hw>/mutants/``) doubles as its catalog of *signatures*: a realistic bug,
   implemented, with a student-facing explanation. A signature is named for a question only if
   - it reproduces the student's outputs on a failing case of the question (at the check's
     tolerance, NaN equal to NaN; if it declares the outputs it explains, on those, and the
     student's other outputs are right: the mistake is confined to them): a failure
     *message* alone (an exception type, a key count) confirms a candidate that matches values
     elsewhere, never names one;
   - it is *consistent*: it fails exactly the cases the student fails (and passes the others)
     in the question and in every question graded on the same functions;
   - it *covers* at least half of the question's failing cases, and no other candidate covers
     more (a tie goes to the unique highest ``# priority:``, else nothing is named).
   The line is added to the cases it reproduces.
3. **Root cause first**: a case whose check also calls another question's function that fails
   its own hidden cases (``verdicts.name_the_broken_function``) gets no catalog line.

Outcomes come from one of two catalogs, which give identical answers (``tests/test_tables.py``):
*live* (the mutants, staff code, run in this process) or the release-time *table*
(``autograder/tables.py``: shipped in the zip for Gradescope; in a checkout, built from the
mutants once and cached, so that each grader process need not run them again). A signature's
outcome is known on the cases that call a function it affects; elsewhere it behaves as the
solution. A case a table does not know gives no catalog line rather than a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import anatomy, tables
from .checklib import Case, CheckFailure, _value_problem, assert_outputs
from .config import Assignment
from .tables import Outcome, Signature

COVERAGE = 0.5  # the share of a question's failing cases a named signature must reproduce


@dataclass
class Seen:
    """One graded case as the diagnosis sees it (its CPU result)."""

    case: Case
    passed: bool  # what the student's code did (before the whole-submission verdict rules)
    called: set[str]
    got: Any = None  # a failed comparison: the student's outputs ...
    expected: dict | None = None  # ... and the reference
    failure: str | None = None  # a check that failed by itself: its message
    blamed: bool = False  # another function is the root cause: no catalog line


@dataclass
class Finding:
    """What the diagnosis adds to one failing case."""

    diagnosis: str = ""  # the signature's family, or ""
    lines: list[str] = field(default_factory=list)
    claims: list[anatomy.Claim] = field(default_factory=list)


# ---------------------------------------------------------------- catalogs


class LiveCatalog:
    """The mutants, run in this process (staff code), as the table would record them."""

    def __init__(self, assignment: Assignment, exclude: set[str] = frozenset()) -> None:
        from .mutants import reaches, signatures, solution_module

        self.signatures = [s for s in signatures(assignment) if s.name not in exclude]
        self.reaches = {k: set(v) for k, v in reaches(assignment).items()}
        self._solution = solution_module(assignment)
        self._calls: dict[str, set[str]] = _LIVE_CALLS.setdefault(assignment.name, {})
        self._outcomes: dict[tuple[str, str], Outcome] = _LIVE_OUTCOMES.setdefault(assignment.name, {})

    def called(self, case: Case) -> set[str] | None:
        if not tables.records_outcomes(case):
            return None  # a long case (a training run) is not run again for a diagnosis
        if case.id not in self._calls:
            from .mutants import solution_calls

            self._calls[case.id] = solution_calls(case, self._solution)
        return self._calls[case.id]

    def outcome(self, signature: Signature, case: Case) -> Outcome | None:
        from .mutants import run_outcome

        if not tables.records_outcomes(case):
            return None
        key = (signature.name, case.id)
        if key not in self._outcomes:
            self._outcomes[key] = run_outcome(signature, case)
        return self._outcomes[key]

    def reference(self, case: Case) -> dict | None:
        return None


_LIVE_OUTCOMES: dict[str, dict[tuple[str, str], Outcome]] = {}  # once per process: staff code is deterministic
_LIVE_CALLS: dict[str, dict[str, set[str]]] = {}


class TableCatalog:
    """The outcomes recorded at release time."""

    def __init__(self, table: tables.Table, exclude: set[str] = frozenset()) -> None:
        self.table = table
        self.signatures = [s for s in table.signatures if s.name not in exclude]
        self.reaches = table.reaches

    def called(self, case: Case) -> set[str] | None:
        return self.table.called(case.id)

    def outcome(self, signature: Signature, case: Case) -> Outcome | None:
        return self.table.outcome(case.id, signature.name)

    def reference(self, case: Case) -> dict | None:
        return self.table.reference(case.id) if self.table.has_reference(case.id) else None


def mutants_available(assignment: Assignment) -> bool:
    """Whether the live catalog can be built here: the solution and the mutants are present
    (a checkout), not only the shipped tests (an autograder zip)."""
    mutants = assignment.directory / "mutants"
    return (
        mutants.is_dir()
        and any(mutants.glob("*.py"))
        and all((assignment.solution_dir / name).is_file() for name in assignment.files)
    )


def catalog_for(assignment: Assignment) -> LiveCatalog | TableCatalog | None:
    """A table a test installed; where the mutants are (a checkout), the table a release would
    build from them (cached: every grader process shares it), or the live catalog where that
    table cannot be had; else the shipped table; else none (no catalog line)."""
    installed = tables.installed_table(assignment)
    if installed is not None:
        return TableCatalog(installed)
    if mutants_available(assignment):
        table = tables.checkout_table(assignment)
        return TableCatalog(table) if table is not None else LiveCatalog(assignment)
    table = tables.table_for(assignment)
    return TableCatalog(table) if table is not None else None


# ---------------------------------------------------------------- comparing outcomes


def _same(got: Any, theirs: Any, rtol: float, atol: float) -> bool:
    """The check's comparison (typed and tolerant, as ``checklib.assert_outputs``), except that
    NaN matches NaN (an unstable softmax is a signature)."""
    if isinstance(theirs, np.ndarray):
        return (
            isinstance(got, np.ndarray)
            and got.shape == theirs.shape
            and got.dtype == theirs.dtype
            and bool(np.allclose(got, theirs, rtol=rtol, atol=atol, equal_nan=True))
        )
    if type(theirs) in (tuple, list):  # containers may hold arrays, which the value rule does not
        return type(got) is type(theirs) and len(got) == len(theirs) and all(
            _same(g, t, rtol, atol) for g, t in zip(got, theirs, strict=True)
        )
    if type(theirs) is dict:
        return type(got) is dict and got.keys() == theirs.keys() and all(_same(got[k], theirs[k], rtol, atol) for k in theirs)
    return _value_problem(got, theirs, "value", rtol, atol) is None


def _keys(signature: Signature, outputs: dict) -> list[str]:
    return [k for k in outputs if not signature.outputs or k in signature.outputs]


def _reproduces(signature: Signature, outcome: Outcome, seen: Seen) -> bool:
    """The signature's outputs equal the student's (on the outputs it explains)."""
    theirs, got = outcome.value, seen.got
    if outcome.kind != "returned" or not isinstance(theirs, dict) or not isinstance(got, dict) or theirs.keys() != got.keys():
        return False
    keys = _keys(signature, theirs)
    others = [k for k in (seen.expected or {}) if k not in keys] if signature.outputs else []
    try:
        same = bool(keys) and all(_same(got[k], theirs[k], seen.case.rtol, seen.case.atol) for k in keys)
        # a signature about some outputs explains a mistake confined to them: the others are right
        return same and not (others and _wrong(got, seen.expected, others, seen.case))
    except Exception:  # noqa: BLE001 - values that cannot even be compared do not match
        return False


def _wrong(outputs: Any, reference: dict, keys: list[str], case: Case) -> bool:
    try:
        assert_outputs({k: outputs.get(k) for k in keys}, {k: reference[k] for k in keys}, rtol=case.rtol, atol=case.atol, context="")
    except CheckFailure:
        return True
    except Exception:  # noqa: BLE001 - a value the comparison cannot even read is wrong
        return True
    return False


# ---------------------------------------------------------------- the whole-submission pass


class _Question:
    """One question's evidence, and the signatures that could explain it."""

    def __init__(self, assignment: Assignment, qid: str, catalog: Any, seen: list[Seen], reference: Callable[[Case], dict | None]) -> None:
        self.assignment, self.catalog, self.seen, self.reference = assignment, catalog, seen, reference
        self.qid, self.own = qid, set(assignment.question(qid).graded_functions)
        self.failing = [s for s in seen if s.case.question == qid and not s.passed and not s.blamed]

    def group(self, signature: Signature) -> list[Seen]:
        """The cases a signature must agree with: the question's, and those of every question
        graded on the question's functions or on the functions the signature changes."""
        functions = self.own | signature.functions
        related = {q.id for q in self.assignment.questions if functions & set(q.graded_functions)}
        related.add(self.qid)
        return [s for s in self.seen if s.case.question in related]

    def _outcome(self, signature: Signature, case: Case) -> Outcome | None | bool:
        """The signature's outcome on ``case``; False: it behaves as the solution there; None: unknown."""
        called = self.catalog.called(case)
        if called is None:
            return None
        if not signature.affects & called:
            return False
        return self.catalog.outcome(signature, case)

    def _student_wrong(self, s: Seen, signature: Signature) -> bool | None:
        """Whether the student got ``s`` wrong, on the outputs the signature explains (None: not
        comparable there: the case has none of them, or the student's outputs are unknown)."""
        if not signature.outputs:
            return not s.passed
        reference = s.expected if s.expected is not None else self.reference(s.case) if s.passed else None
        if not isinstance(reference, dict) or not _keys(signature, reference):
            return None
        if s.passed:
            return False
        return None if s.got is None else _wrong(s.got, reference, _keys(signature, reference), s.case)

    def _signature_wrong(self, signature: Signature, s: Seen) -> bool | None:
        outcome = self._outcome(signature, s.case)
        if outcome is None:
            return None
        if outcome is False:
            return False
        if outcome.kind != "returned":
            return True
        if s.case.reference is None:
            return False  # a self-asserting check that returned: it passed
        reference = s.expected if s.expected is not None else self.reference(s.case)
        if not isinstance(reference, dict):
            return None
        keys = _keys(signature, reference)
        return _wrong(outcome.value if isinstance(outcome.value, dict) else {}, reference, keys, s.case) if keys else None

    def explained(self, signature: Signature) -> list[Seen] | None:
        """The failing cases the signature reproduces, if it is a candidate (else None)."""
        hits, values = [], 0
        for s in self.failing:
            outcome = self._outcome(signature, s.case)
            if not isinstance(outcome, Outcome):
                continue
            if s.got is not None and _reproduces(signature, outcome, s):
                hits.append(s)
                values += 1
            elif s.failure is not None and outcome.kind == "failed" and outcome.value == s.failure:
                hits.append(s)  # a message confirms, never names: a value match is required below
        if not values or len(hits) < COVERAGE * len(self.failing):
            return None
        for s in self.group(signature):
            mine = self._student_wrong(s, signature)
            if mine is None:
                continue
            theirs = self._signature_wrong(signature, s)
            if theirs is None or theirs != mine:
                return None
        return hits


def _pick(found: list[tuple[Signature, list[Seen]]]) -> tuple[Signature, list[Seen]] | None:
    """The candidate that explains the most cases; a tie goes to one family, else to the unique
    highest priority, else to none."""
    if not found:
        return None
    most = max(len(hits) for _, hits in found)
    best = [(s, hits) for s, hits in found if len(hits) == most]
    if len({s.family for s, _ in best}) == 1:
        return best[0]
    top = max(s.priority for s, _ in best)
    best = [(s, hits) for s, hits in best if s.priority == top]
    return best[0] if len({s.family for s, _ in best}) == 1 else None


def _whole_check_rules(
    claims: list[anatomy.Claim], s: Seen, seen: list[Seen], reference: Callable[[Case], dict | None]
) -> list[anatomy.Claim]:
    """A size rule is kept only if it gives the student's size on every case of the same check
    (the passing ones included, where the student's size is the reference's): one case may
    agree with a rule by coincidence, a whole check rarely does."""
    kept = []
    check = s.case.id.rsplit("/", 1)[0]
    for claim in claims:
        if claim.kind != "size rule":
            kept.append(claim)
            continue
        rules = []
        for rule in claim.params[0]:
            holds = True
            for other in seen:
                if other.case.id.rsplit("/", 1)[0] != check or other.case.geometry is None or "axes" not in other.case.geometry():
                    continue
                if other.passed:
                    want = reference(other.case) if other.case.reference is not None else None
                    got = want.get(claim.output) if isinstance(want, dict) else None
                else:
                    want = other.expected.get(claim.output) if other.expected else None
                    got = other.got.get(claim.output) if isinstance(other.got, dict) else None
                if got is None or want is None:
                    continue
                if anatomy.rule_gives(rule, other.case.geometry(), got, want) is False:
                    holds = False
                    break
            if holds:
                rules.append(rule)
        restricted = anatomy.size_rule_claim(claim.output, s.got[claim.output], s.expected[claim.output], tuple(rules), s.case.geometry()) if rules else None
        if restricted is not None:
            kept.append(restricted)
    if claims and not kept:  # the rule did not hold: the plain facts, without any rule
        kept = anatomy.describe(s.got, s.expected, s.case.rtol, s.case.atol)
    return kept


def anatomy_claims(s: Seen) -> list[anatomy.Claim]:
    """The verified facts about a failed comparison (each re-checked before it is kept)."""
    if s.got is None or s.expected is None:
        return []
    rules, geometry = s.case.size_rules, s.case.geometry() if s.case.geometry is not None else None
    claims = anatomy.describe(s.got, s.expected, s.case.rtol, s.case.atol, rules, geometry)
    verified = []
    for claim in claims:
        got, want = s.got.get(claim.output), s.expected.get(claim.output)
        if anatomy.verify(claim, got, want, s.case.rtol, s.case.atol, geometry):
            verified.append(claim)
    return verified


def explain_submission(
    assignment: Assignment,
    seen: list[Seen],
    catalog: Any = None,
    reference: Callable[[Case], dict | None] | None = None,
) -> dict[str, Finding]:
    """The finding of every failing case of a submission, by case id.

    ``catalog``: where signatures' outcomes come from (default: ``catalog_for(assignment)``);
    ``reference``: a case's CPU reference, for the cases whose reference the catalog lacks.
    """
    findings: dict[str, Finding] = {}
    catalog = catalog if catalog is not None else catalog_for(assignment)
    cases_reference = reference or (lambda case: None)
    for s in seen:
        if not s.passed:
            claims = _whole_check_rules(anatomy_claims(s), s, seen, cases_reference)
            findings[s.case.id] = Finding(claims=claims, lines=[anatomy.line(claims)] if claims else [])
    if catalog is None:
        return findings
    reference = reference or (lambda case: None)

    def known_reference(case: Case) -> dict | None:
        if case.reference is None:
            return None  # a check that asserts by itself
        return catalog.reference(case) or reference(case)

    questions = dict.fromkeys(s.case.question for s in seen if not s.passed and not s.blamed)
    for qid in questions:
        upstream = _broken_callees(assignment, catalog, seen, qid)
        if upstream:
            for s in seen:
                if s.case.question == qid and not s.passed and not s.blamed:
                    findings[s.case.id].lines.insert(0, upstream)
            continue
        question = _Question(assignment, qid, catalog, seen, known_reference)
        found = [(sig, hits) for sig in catalog.signatures if (hits := question.explained(sig)) is not None]
        chosen = _pick(found)
        if chosen is None:
            continue
        signature, hits = chosen
        about = f" ({', '.join(signature.outputs)})" if signature.outputs else ""
        for s in hits:
            finding = findings[s.case.id]
            finding.diagnosis = signature.family
            finding.lines.insert(0, f"Likely cause{about}: {signature.explanation}")
    return findings


def _broken_callees(assignment: Assignment, catalog: Any, seen: list[Seen], qid: str) -> str:
    """Root cause first, through the calls the student's code may make inside the worker: when a
    function of the question is written, in the solution, with another question's function
    that fails its own hidden cases, the question gets that line instead of a catalog line."""
    owner = {fn: q.id for q in assignment.questions for fn in q.graded_functions}
    parts = []
    for fn in assignment.question(qid).graded_functions:
        for callee in sorted(catalog.reaches.get(fn, ())):
            if owner.get(callee, qid) == qid:
                continue
            failed = sum(1 for s in seen if s.case.question == owner[callee] and s.case.hidden and not s.passed and callee in s.called)
            if failed:
                parts.append(f"if your {fn} uses your {callee}, fix {callee} first: it fails {failed} hidden case{'s' if failed > 1 else ''} of its own")
    return f"Root cause first: {'; '.join(parts)}." if parts else ""
