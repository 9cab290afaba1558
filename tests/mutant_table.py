"""Which checks catch which mutants: public checks, ``check.py --torch`` practice checks, hidden tests.

    .venv/bin/python tests/mutant_table.py hw2      # the table for one assignment
    .venv/bin/python tests/mutant_table.py          # every assignment

Everything runs in this process: mutants are staff code (the solution with one bug), so they
are imported directly, never through the sandbox. A mutant belongs to the question it breaks
(fails hidden cases of) among those grading a function it redefines (``Question.graded_functions``),
else to the first of those, else to the first question whose hidden cases it fails. Practice
checks run with three fixed seeds. A family (``# variants:``) counts once, by its first variant, as
the sandbox-graded tests do; ``tests/leave_one_out.py`` measures every variant from the tables.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograder import checklib  # noqa: E402
from autograder.config import Assignment, all_assignments, find_assignment  # noqa: E402
from autograder.grade import load_cases  # noqa: E402
from autograder.mutants import Mutant, import_trusted, load_mutants, mutant_files  # noqa: E402

PRACTICE_SEEDS = (0, 1, 2)


@dataclass
class Caught:
    mutant: str
    question: str
    public: bool
    practice: bool
    hidden: bool
    failing_questions: set[str] = field(default_factory=set)


def load_practice(assignment: Assignment) -> checklib.PracticeSuite | None:
    path = assignment.directory / "tests" / "practice.py"
    if not path.is_file():
        return None
    sys.modules.setdefault("checklib", checklib)
    spec = importlib.util.spec_from_file_location(f"convlab_practice_{assignment.name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.suite


def _fails(run: Any) -> bool:
    try:
        run()
    except Exception:  # noqa: BLE001 - a check failure, or a crash: either way the bug shows
        return True
    return False


def case_fails(case: checklib.Case, student: Any) -> bool:
    def run() -> None:
        got = case.run(student)
        if case.reference is not None:
            checklib.assert_outputs(got or {}, case.reference("cpu"), rtol=case.rtol, atol=case.atol, context=case.context)

    return _fails(run)


def practice_fails(suite: checklib.PracticeSuite | None, student: Any, seeds: tuple[int, ...] = PRACTICE_SEEDS) -> set[str]:
    """The questions with a practice check that fails on ``student`` for one of ``seeds``."""
    failing: set[str] = set()
    for index, check in enumerate(suite.checks if suite else []):
        for seed in seeds:
            try:
                _, failure = suite.run_check(index, student, seed)
            except Exception:  # noqa: BLE001
                failure = "crashed"
            if failure:
                failing.add(check.question)
                break
    return failing


def owner(assignment: Assignment, mutant: Mutant, failing: set[str]) -> str:
    import ast

    defined = {n.name for n in ast.parse(mutant.source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    mine = [q.id for q in assignment.questions if defined & set(q.graded_functions)]
    # a mutant often restates a correct forward to reach its broken backward: the question it breaks wins
    return next((q for q in mine if q in failing), None) or next(iter(mine), None) or next(
        (q.id for q in assignment.questions if q.id in failing), "?"
    )


def catalog(assignment: Assignment) -> list[Caught]:
    work = Path(tempfile.mkdtemp(prefix="convlab-table-"))
    cases = load_cases(assignment, "public") + load_cases(assignment, "hidden")
    suite = load_practice(assignment)
    rows = []
    for mutant in load_mutants(assignment):
        files = {**assignment.support_files, **mutant_files(assignment, mutant)}
        student = import_trusted(files, work / mutant.name, assignment.files, f"convlab_table_{assignment.name}_{mutant.name}")
        public = {c.question for c in cases if not c.hidden and case_fails(c, student)}
        hidden = {c.question for c in cases if c.hidden and case_fails(c, student)}
        practice = practice_fails(suite, student)
        rows.append(Caught(mutant.name, owner(assignment, mutant, hidden), bool(public), bool(practice), bool(hidden), hidden))
    return rows


def table(assignment: Assignment) -> str:
    rows = catalog(assignment)
    lines = [f"{assignment.name}", f"{'question':<10} {'mutants':>7} {'public':>7} {'--torch':>8} {'hidden':>7}"]
    for q in assignment.questions:
        mine = [r for r in rows if r.question == q.id]
        if mine:
            lines.append(
                f"{q.id:<10} {len(mine):>7} {sum(r.public for r in mine):>7} {sum(r.practice for r in mine):>8} {sum(r.hidden for r in mine):>7}"
            )
    lines.append(f"{'all':<10} {len(rows):>7} {sum(r.public for r in rows):>7} {sum(r.practice for r in rows):>8} {sum(r.hidden for r in rows):>7}")
    for r in rows:
        lines.append(f"  {r.mutant:<45} {r.question:<4} public={'y' if r.public else '-'} torch={'y' if r.practice else '-'} hidden={'y' if r.hidden else '-'}")
    return "\n".join(lines)


if __name__ == "__main__":
    import torch

    torch.set_num_threads(1)
    targets = [find_assignment(n) for n in sys.argv[1:]] or all_assignments()
    for a in targets:
        print(table(a), end="\n\n")
