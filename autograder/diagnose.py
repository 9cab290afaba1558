"""Name the misconception, not just the failure.

Each assignment's mutant catalog (``assignments/<hw>/mutants/``) doubles as its catalog of
*signatures*: a mutant is a realistic bug, implemented, with a student-facing explanation. When
a case fails, the trusted grader looks at what every mutant that redefines a function the check
called does on the same case (its *outcome*: the outputs it returns, or the check's failure
message) and compares the student's outputs with the mutant's using the check's tolerance.
Exactly one match gives a "Likely cause:" line; several matches give the one with the highest
``# priority:`` if it is unique, else nothing. Shape mismatches also get a cheap hint computed
from the shapes alone. Diagnoses only run after a failure, so a correct submission pays nothing.

Outcomes come from one of two catalogs, which give identical answers:

- live: the mutants (solution + bug) are imported and run in this process (they are staff
  code; student code is never run again). Used wherever the mutants are, e.g. local grading.
- table: the outcomes recorded at release time (``autograder/tables.py``), shipped in the
  autograder zip, which holds neither solutions nor mutants. A case the table has no outcome
  for gives no diagnosis rather than a guess.
"""

from __future__ import annotations

import ast
import atexit
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .checklib import Case, CheckFailure, _value_problem
from .config import Assignment

if TYPE_CHECKING:
    from .tables import Table


@dataclass
class Signature:
    """A named misconception: the mutant that implements it and what to tell the student."""

    name: str
    explanation: str
    functions: set[str]
    priority: int
    module: Any = field(default=None, repr=False)  # the imported mutant (live catalog only)


@dataclass(frozen=True)
class Outcome:
    """What a signature does on a case: ``returned`` its outputs (``value``), ``failed`` the
    check with a message (``value``), or ``crashed`` (matches nothing)."""

    kind: str
    value: Any = None


_CATALOGS: dict[str, list[Signature]] = {}


def _defined_functions(source: str) -> set[str]:
    """The functions and classes a mutant redefines (a class: e.g. a student's nn.Module)."""
    return {n.name for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _priority(source: str) -> int:
    priority = 0
    for line in source.splitlines():
        if line.startswith("# priority:"):
            priority = int(line.split(":", 1)[1])
    return priority


def mutants_available(assignment: Assignment) -> bool:
    """Whether the live catalog can be built here: the solution and the mutants are present
    (a checkout), not only the shipped tests (an autograder zip)."""
    mutants = assignment.directory / "mutants"
    return (
        mutants.is_dir()
        and any(mutants.glob("*.py"))
        and all((assignment.solution_dir / name).is_file() for name in assignment.files)
    )


def signatures(assignment: Assignment) -> list[Signature]:
    """The assignment's live signature catalog (mutants imported), once per process."""
    from .mutants import import_trusted, load_mutants, mutant_files

    if assignment.name not in _CATALOGS:
        workdir = Path(tempfile.mkdtemp(prefix="convlab-signatures-"))
        atexit.register(shutil.rmtree, workdir, True)
        catalog = []
        for mutant in load_mutants(assignment):
            files = {**assignment.support_files, **mutant_files(assignment, mutant)}
            prefix = f"convlab_mutant_{assignment.name}_{mutant.name}"
            catalog.append(
                Signature(
                    name=mutant.name,
                    explanation=" ".join(mutant.explanation.split()),
                    functions=_defined_functions(mutant.source),
                    priority=_priority(mutant.source),
                    # trusted code, written by staff: imported in this process
                    module=import_trusted(files, workdir / mutant.name, assignment.files, prefix),
                )
            )
        _CATALOGS[assignment.name] = catalog
    return _CATALOGS[assignment.name]


def run_outcome(signature: Signature, case: Case) -> Outcome:
    """Run ``case`` on the signature's mutant (live catalog)."""
    try:
        return Outcome("returned", case.run(signature.module))
    except CheckFailure as exc:
        return Outcome("failed", str(exc))
    except Exception:  # noqa: BLE001 - a signature that crashes matches nothing
        return Outcome("crashed")


class _Live:
    def __init__(self, assignment: Assignment) -> None:
        self.signatures = signatures(assignment)

    def outcome(self, signature: Signature, case: Case) -> Outcome | None:
        return run_outcome(signature, case)


class _Tabled:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.signatures = table.signatures

    def outcome(self, signature: Signature, case: Case) -> Outcome | None:
        return self.table.outcome(case.id, signature.name)


def _catalog(assignment: Assignment) -> _Live | _Tabled | None:
    """The live catalog where the mutants are (unless a test installed a table), else the
    shipped table, else none (no diagnosis)."""
    from . import tables

    installed = tables.installed_table(assignment)
    if installed is not None:
        return _Tabled(installed)
    if mutants_available(assignment):
        return _Live(assignment)
    table = tables.table_for(assignment)
    return _Tabled(table) if table is not None else None


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


def _matches(outcome: Outcome, case: Case, got: dict) -> bool:
    theirs = outcome.value
    if outcome.kind != "returned" or not isinstance(theirs, dict) or theirs.keys() != got.keys():
        return False
    try:
        return all(_same(got[k], theirs[k], case.rtol, case.atol) for k in theirs)
    except Exception:  # noqa: BLE001 - values that cannot even be compared do not match
        return False


def diagnose(
    assignment: Assignment, case: Case, got: Any, called: set[str], failure: str | None = None
) -> Signature | None:
    """The one misconception whose implementation reproduces the student's outputs (or, for a
    self-asserting check, its failure message), or None."""
    if failure is None and not (isinstance(got, dict) and got):
        return None
    catalog = _catalog(assignment)
    if catalog is None:
        return None
    found = []
    for signature in catalog.signatures:
        if not signature.functions & called:
            continue
        outcome = catalog.outcome(signature, case)
        if outcome is None:
            return None  # the table does not know this candidate: no diagnosis rather than a guess
        if failure is not None:
            alike = outcome.kind == "failed" and outcome.value == failure
        else:
            alike = _matches(outcome, case, got)
        if alike:
            found.append(signature)
    return _pick(found)


def _pick(found: list[Signature]) -> Signature | None:
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        top = max(s.priority for s in found)
        best = [s for s in found if s.priority == top]
        return best[0] if len(best) == 1 else None
    return None


def shape_hint(got: Any, expected: dict) -> str | None:
    """A hint from shapes alone, e.g. swapped axes or rows missing (no extra computation)."""
    if not isinstance(got, dict):
        return None
    for key, exp in expected.items():
        value = got.get(key)
        shape, want = getattr(value, "shape", None), getattr(exp, "shape", None)
        if shape is None or want is None or shape == want:
            continue
        if len(shape) == len(want) >= 2 and shape[:-2] + shape[-1:] + shape[-2:-1] == want:
            return f"{key} has its last two axes swapped (rows and columns exchanged)"
        if len(shape) == len(want) and len(shape) >= 2:
            dh, dw = shape[-2] - want[-2], shape[-1] - want[-1]
            words = []
            if dh:
                words.append(f"{abs(dh)} row{'s' if abs(dh) > 1 else ''} {'short' if dh < 0 else 'too many'}")
            if dw:
                words.append(f"{abs(dw)} column{'s' if abs(dw) > 1 else ''} {'short' if dw < 0 else 'too many'}")
            if words and shape[:-2] == want[:-2]:
                return f"{key} is {' and '.join(words)}: check the padding, stride and dilation in the output size"
    return None
