"""The mutant catalog: realistic buggy variants of an assignment's solution.

A mutant is a file ``assignments/<hw>/mutants/<name>.py`` whose module docstring names the
misconception (first line) and explains it to a student (the rest), followed by function
definitions that replace the solution's. The buggy submission is the solution file with the
mutant appended, so the catalog stores only the bug itself. Optional header lines:

- ``# target: <file>``: which submitted file is mutated (default: the first);
- ``# priority: <int>``: breaks a tie between two signatures that explain as much;
- ``# outputs: dw, db``: the outputs the explanation is about (default: all of them); the
  signature is matched, and checked against the whole submission, on those outputs only;
- ``# siblings: <name>, <name>``: other mutants naming the same misconception in another place
  (they are left out together when the catalog is measured leave-one-out);
- ``# variants: a, b, c``: a *family*: one file, one explanation, several variants of the same
  mistake (both sides of a one-sided crop, +1 and -1). The file sets ``_VARIANT = "a"`` at its
  top level and reads it; variant ``b`` is the file with that line set to ``"b"``. The first
  variant carries the file's name, the others ``<name>.<variant>``; all share the file's name
  as the diagnosis the student and the gradebook see.
- ``# per function``: the mutant changes several functions and its explanation holds for each
  one alone (a factor pair read as (w, h) in every resampling function): besides the whole
  mutant, each changed function is a signature of its own, ``<name>@<function>`` (the solution
  with that one definition replaced), so the same mistake made in one place is named too.

This module is staff code, never shipped: it runs the mutants (the live catalog) and builds the
release-time table (``autograder/tables.py``) from them.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import dataclasses
import importlib.util
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import Assignment
from .tables import Outcome, Signature

VARIANT_LINE = re.compile(r"^_VARIANT = .*$", re.MULTILINE)


@dataclass(frozen=True)
class Mutant:
    name: str
    summary: str
    explanation: str
    target: str
    source: str
    family: str = ""  # the file's name: the diagnosis of every variant of the file
    variants: tuple[str, ...] = ()  # a family's variants (the first is this mutant)


def _header(source: str, key: str) -> str | None:
    for line in source.splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    return None


def _names(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _variant(mutant: Mutant, variant: str) -> Mutant:
    source, count = VARIANT_LINE.subn(f"_VARIANT = {variant!r}", mutant.source)
    if count != 1:
        raise ValueError(f"mutant family {mutant.family} declares variants but sets _VARIANT {count} times")
    return Mutant(f"{mutant.family}.{variant}", mutant.summary, mutant.explanation, mutant.target, source, mutant.family, mutant.variants)


def load_mutants(assignment: Assignment) -> list[Mutant]:
    """One mutant per file: a family's first variant stands for it (tests that grade each
    mutant in the sandbox grade that one; ``catalog`` has every variant)."""
    mutants = []
    for path in sorted((assignment.directory / "mutants").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        doc = ast.get_docstring(ast.parse(source)) or ""
        summary, _, explanation = doc.partition("\n")
        target = _header(source, "target") or assignment.files[0]
        variants = _names(_header(source, "variants"))
        first = Mutant(path.stem, summary.strip(), explanation.strip(), target, source, path.stem, variants)
        mutants.append(dataclasses.replace(_variant(first, variants[0]), name=path.stem) if variants else first)
    return mutants


def catalog(assignment: Assignment) -> list[Mutant]:
    """Every mutant: a family's variants and a ``# per function`` mutant's parts included."""
    mutants = []
    for mutant in load_mutants(assignment):
        for variant in [mutant] + [_variant(mutant, v) for v in mutant.variants[1:]]:
            mutants.append(variant)
            if "# per function" in variant.source.splitlines():
                mutants += _parts(assignment, variant)
    return mutants


def _parts(assignment: Assignment, mutant: Mutant) -> list[Mutant]:
    """One mutant per function ``mutant`` changes: its source with the other definitions left out."""
    tree = ast.parse(mutant.source)
    changed = changed_functions(assignment, mutant)
    parts = []
    for name in sorted(changed):
        body = [n for n in tree.body if not isinstance(n, (ast.FunctionDef, ast.ClassDef)) or n.name == name]
        source = ast.unparse(ast.Module(body=body, type_ignores=[]))
        parts.append(Mutant(f"{mutant.name}@{name}", mutant.summary, mutant.explanation, mutant.target, source, mutant.family))
    return parts if len(parts) > 1 else []


def solution_files(assignment: Assignment) -> dict[str, bytes]:
    return {name: (assignment.solution_dir / name).read_bytes() for name in assignment.files}


def starter_files(assignment: Assignment) -> dict[str, bytes]:
    return {name: (assignment.starter_dir / name).read_bytes() for name in assignment.files}


def mutant_files(assignment: Assignment, mutant: Mutant) -> dict[str, bytes]:
    """The submission files of a mutant: the solution with the mutant's definitions appended."""
    files = solution_files(assignment)
    files[mutant.target] = files[mutant.target] + f"\n\n# ---- mutant: {mutant.name}\n".encode() + mutant.source.encode()
    return files


@contextlib.contextmanager
def private_imports(folder: Path, names: list[str]):
    """Import modules from ``folder`` without meeting another assignment's same-named modules.

    Two assignments may ship a ``layers.py``: the ones cached in ``sys.modules`` are set aside
    while importing from ``folder``, then put back.
    """
    saved = {n: sys.modules.pop(n) for n in names if n in sys.modules}
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))
        for n in names:
            sys.modules.pop(n, None)
        sys.modules.update(saved)


def import_trusted(files: dict[str, bytes], folder: Path, gather: list[str], prefix: str) -> Any:
    """Import staff code (a solution, a mutant) in this process, never a student's.

    ``files`` are written to ``folder``; the public names of the modules in ``gather`` are
    collected into one namespace, shaped like the object a check receives as ``student``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    namespace = type("Trusted", (), {})()
    with private_imports(folder, [Path(n).stem for n in files if n.endswith(".py")]):
        for name in gather:
            spec = importlib.util.spec_from_file_location(f"{prefix}_{Path(name).stem}", folder / name)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for attr in dir(module):
                if not attr.startswith("_"):
                    setattr(namespace, attr, getattr(module, attr))
    return namespace


def write_submission(files: dict[str, bytes], directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


# ---------------------------------------------------------------- what a mutant changes, what it affects


def _definitions(source: str) -> dict[str, ast.AST]:
    return {n.name: n for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}


def _same_code(a: ast.AST, b: ast.AST) -> bool:
    return ast.dump(a, include_attributes=False) == ast.dump(b, include_attributes=False)


def changed_functions(assignment: Assignment, mutant: Mutant) -> set[str]:
    """The functions and classes the mutant really changes: one it restates as the solution
    has it (to reach a broken backward, say) is not among them."""
    solution = {}
    for name, data in {**assignment.support_files, **solution_files(assignment)}.items():
        if name.endswith(".py"):
            solution.update(_definitions(data.decode("utf-8")))
    mine = _definitions(mutant.source)
    return {name for name, node in mine.items() if name not in solution or not _same_code(node, solution[name])}


def call_graph(assignment: Assignment) -> dict[str, set[str]]:
    """Each top-level function or class of the solution and support files -> the names its body reads."""
    graph: dict[str, set[str]] = {}
    for name, data in {**assignment.support_files, **solution_files(assignment)}.items():
        if name.endswith(".py"):
            for fn, node in _definitions(data.decode("utf-8")).items():
                reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
                reads |= {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}  # models.BasicBlock, self.method
                graph.setdefault(fn, set()).update(reads - {fn})
    return graph


def reaches(assignment: Assignment) -> dict[str, list[str]]:
    """Each graded function -> the other graded functions the solution's reaches through its calls
    (a convolve2d written with correlate2d): a bug in one of those can show in it."""
    graph = call_graph(assignment)
    graded = {fn for q in assignment.questions for fn in q.graded_functions}
    found = {}
    for fn in sorted(graded):
        callees, frontier = set(), {fn}
        while frontier:
            frontier = {c for f in frontier for c in graph.get(f, ()) if c in graph} - callees - {fn}
            callees |= frontier
        if callees & graded:
            found[fn] = sorted(callees & graded)
    return found


def affected(graph: dict[str, set[str]], changed: set[str]) -> set[str]:
    """``changed`` and every function that reaches one of them through the solution's calls."""
    found = set(changed)
    while True:
        more = {fn for fn, reads in graph.items() if fn not in found and reads & found}
        if not more:
            return found
        found |= more


# ---------------------------------------------------------------- the live catalog

_CATALOGS: dict[str, list[Signature]] = {}


def describe(assignment: Assignment, mutant: Mutant, graph: dict[str, set[str]]) -> Signature:
    """The signature of a mutant (without its module)."""
    changed = changed_functions(assignment, mutant)
    return Signature(
        name=mutant.name,
        explanation=" ".join(mutant.explanation.split()),
        functions=changed,
        priority=int(_header(mutant.source, "priority") or 0),
        affects=affected(graph, changed),
        outputs=_names(_header(mutant.source, "outputs")),
        family=mutant.family,
        siblings=set(_names(_header(mutant.source, "siblings"))),
    )


def signatures(assignment: Assignment) -> list[Signature]:
    """The assignment's live signature catalog (mutants imported), once per process."""
    if assignment.name not in _CATALOGS:
        workdir = Path(tempfile.mkdtemp(prefix="convlab-signatures-"))
        atexit.register(shutil.rmtree, workdir, True)
        graph = call_graph(assignment)
        found = []
        for mutant in catalog(assignment):
            files = {**assignment.support_files, **mutant_files(assignment, mutant)}
            prefix = f"convlab_mutant_{assignment.name}_{mutant.name.replace('.', '_')}"
            signature = describe(assignment, mutant, graph)
            # trusted code, written by staff: imported in this process
            signature.module = import_trusted(files, workdir / mutant.name, assignment.files, prefix)
            found.append(signature)
        _CATALOGS[assignment.name] = found
    return _CATALOGS[assignment.name]


_SOLUTIONS: dict[str, Any] = {}


def solution_module(assignment: Assignment) -> Any:
    """The solution imported in this process (trusted), once per process."""
    if assignment.name not in _SOLUTIONS:
        workdir = Path(tempfile.mkdtemp(prefix="convlab-solution-"))
        atexit.register(shutil.rmtree, workdir, True)
        files = {**assignment.support_files, **solution_files(assignment)}
        _SOLUTIONS[assignment.name] = import_trusted(files, workdir, assignment.files, f"convlab_solution_{assignment.name}")
    return _SOLUTIONS[assignment.name]


def run_outcome(signature: Signature, case: Any) -> Outcome:
    """Run ``case`` on the signature's mutant (live catalog)."""
    from .checklib import CheckFailure

    try:
        return Outcome("returned", case.run(signature.module))
    except CheckFailure as exc:
        return Outcome("failed", str(exc))
    except Exception:  # noqa: BLE001 - a signature that crashes matches nothing
        return Outcome("crashed")


def solution_calls(case: Any, solution: Any) -> set[str]:
    """The functions ``case`` calls when it runs on the solution."""
    from .verdicts import Recorder

    recorder = Recorder(solution)
    with contextlib.suppress(Exception):  # the solution passes; the calls are what matter here
        case.run(recorder)
    return recorder.calls.called


# ---------------------------------------------------------------- the release-time table


def build_table(assignment: Assignment) -> bytes:
    """Compute the table of ``assignment`` now (in this process, with torch): can take minutes.

    Every signature's outcome is stored on every case that calls a function it affects; on the
    other cases it behaves as the solution (a diagnosis reads it so).
    """
    from . import refkit, tables
    from .grade import all_cases

    blobs: list[bytes] = []
    with refkit.recording() as inputs:  # every @tabled check input computed below
        solution = solution_module(assignment)
        found = signatures(assignment)
        cases: dict[str, dict] = {}
        for case in all_cases(assignment):
            called = solution_calls(case, solution)
            entry: dict[str, Any] = {"called": sorted(called), "outcomes": {}}
            if case.reference is not None:
                reference = tables.stored(case.reference("cpu"), blobs)
                if reference is not None:  # else computed where graded (references are arrays and plain values)
                    entry["reference"] = reference
            for signature in found if tables.records_outcomes(case) else ():
                if signature.affects & called:
                    entry["outcomes"][signature.name] = tables.outcome_entry(run_outcome(signature, case), blobs)
            cases[case.id] = entry
    tabled = {key: tagged for key, value in inputs.items() if (tagged := tables.stored(value, blobs)) is not None}
    header = {
        "format": tables.FORMAT,
        "assignment": assignment.name,
        "digest": tables.input_digest(assignment),
        "signatures": [s.header() for s in found],
        "reaches": reaches(assignment),
        "cases": cases,
        "tabled": tabled,
    }
    return tables.dumps(header, blobs)


def build_main(directory: str, out: str, expected: str) -> int:
    """The child of ``tables._build_elsewhere``: prints where it wrote the table; 3 if not cacheable."""
    from . import tables
    from .config import load_assignment

    assignment = load_assignment(Path(directory))
    before = tables.cache_path(assignment).name
    data = build_table(assignment)
    same = before == expected == tables.cache_path(assignment).name
    target = Path(out) if same else Path(out).with_suffix(".uncached")
    target.write_bytes(data)
    print(target)
    return 0 if same else 3
