"""The catalog measured without seeing our bugs: every mutant diagnosed by the catalog minus itself.

    .venv/bin/python tests/leave_one_out.py hw2      # one assignment, with every wrong line
    .venv/bin/python tests/leave_one_out.py          # every assignment

Nothing is graded again: the release-time table (``autograder/tables.py``) already holds every
mutant's outcome on every case it can change. Mutant M's outcomes play the student's outputs
(on the other cases M behaves as the solution, so it passes them), and the whole-submission
diagnosis runs with the catalog minus M, minus M's family and its declared siblings. Any
"Likely cause" it then shows names another misconception: a wrong line. With the whole catalog
the same simulation gives the own-name rate. Every anatomy claim made on the way is collected,
for the test to re-verify independently.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import checklib, tables  # noqa: E402
from autograder.config import Assignment, all_assignments, find_assignment  # noqa: E402
from autograder.diagnose import Finding, Seen, TableCatalog, explain_submission  # noqa: E402
from autograder.grade import graded_cases  # noqa: E402
from autograder.report import CaseResult  # noqa: E402
from autograder.tables import Signature, Table  # noqa: E402
from autograder.verdicts import Calls, name_the_broken_function  # noqa: E402


@dataclass
class Row:
    mutant: str
    family: str
    failing: int  # failing CPU cases
    lines: dict[str, str] = field(default_factory=dict)  # case id -> family named
    findings: dict[str, Finding] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)

    @property
    def named(self) -> set[str]:
        return set(self.lines.values())


def table_of(assignment: Assignment) -> Table:
    return tables.parse(tables.table_bytes(assignment))


def reference_of(table: Table):
    def reference(case: checklib.Case) -> dict | None:
        if case.reference is None:
            return None
        return table.reference(case.id) if table.has_reference(case.id) else case.reference("cpu")

    return reference


def as_student(assignment: Assignment, table: Table, signature: Signature) -> list[Seen]:
    """What the grader would see of the mutant, from its table outcomes."""
    reference = reference_of(table)
    seen = []
    for case in graded_cases(assignment):
        called = table.called(case.id) or set()
        s = Seen(case, True, called)
        outcome = table.outcome(case.id, signature.name) if signature.affects & called else None
        if outcome is not None:
            if outcome.kind == "failed":
                s.passed, s.failure = False, outcome.value
            elif outcome.kind == "crashed":
                s.passed = False
            elif case.reference is not None:
                expected = reference(case)
                try:
                    checklib.assert_outputs(outcome.value or {}, expected, rtol=case.rtol, atol=case.atol, context="")
                except checklib.CheckFailure:
                    s.passed, s.got, s.expected = False, outcome.value, expected
                except Exception:  # noqa: BLE001 - a value the check cannot read: the check fails
                    s.passed = False
        seen.append(s)
    return seen


def left_out(table: Table, signature: Signature) -> set[str]:
    """The signatures left out with ``signature``: its family, its declared siblings, and the
    families that declare it theirs."""
    families = {signature.family} | signature.siblings
    families |= {s.family for s in table.signatures if signature.family in s.siblings}
    return {s.name for s in table.signatures if s.family in families}


def diagnose_mutant(assignment: Assignment, table: Table, signature: Signature, leave_out: bool) -> Row:
    seen = as_student(assignment, table, signature)
    results = [CaseResult(s.case.id, s.case.question, s.case.title, "cpu", s.case.hidden, float(s.passed), 1.0, s.passed, "") for s in seen]
    blamed = name_the_broken_function(assignment, results, {s.case.id: Calls(s.called) for s in seen})
    for s in seen:
        s.blamed = s.case.id in blamed
    exclude = left_out(table, signature) if leave_out else set()
    findings = explain_submission(assignment, seen, TableCatalog(table, exclude), reference_of(table))
    row = Row(signature.name, signature.family, sum(not s.passed for s in seen), findings=findings, seen=seen)
    row.lines = {cid: f.diagnosis for cid, f in findings.items() if f.diagnosis}
    return row


def measure(assignment: Assignment, leave_out: bool = True) -> list[Row]:
    table = table_of(assignment)
    return [diagnose_mutant(assignment, table, s, leave_out) for s in table.signatures]


def main(names: list[str]) -> int:
    chosen = [find_assignment(n) for n in names] if names else all_assignments()
    print("| assignment | mutants | leave-one-out: wrong line | own name (full catalog) | failing cases with an anatomy line |")
    print("|---|---|---|---|---|")
    details = []
    for a in chosen:
        rows = measure(a)
        wrong = [r for r in rows if r.named]
        own = measure(a, leave_out=False)
        right = [r for r in own if r.family in r.named]
        failing = sum(r.failing for r in rows)
        compared = [(cid, f) for r in rows for cid, f in r.findings.items() if next(s for s in r.seen if s.case.id == cid).got is not None]
        facts = sum(1 for _, f in compared if f.claims)
        print(f"| {a.short_name} | {len(rows)} | {len(wrong)} ({len(wrong) / len(rows):.0%}) | {len(right)} ({len(right) / len(rows):.0%}) | {facts} of {len(compared)} compared ({failing} failing) |")
        details += [f"  {a.short_name} {r.mutant}: named {sorted(r.named)}" for r in wrong]
        details += [f"  {a.short_name} {r.mutant}: own name missed (named {sorted(r.named)})" for r in own if r.family not in r.named]
    print("\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
