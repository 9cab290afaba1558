"""Assignment configuration: ``assignments/<name>/assignment.toml``, typed and validated.

The engine discovers assignments by scanning ``assignments/*/assignment.toml``; adding an
assignment never touches this package. Unknown keys are rejected so a typo cannot silently
change grading.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# when students see the hidden tests' results on Gradescope (Gradescope's visibility values)
HIDDEN_RESULTS = ("after_published", "hidden", "visible")
ASSIGNMENTS_DIR = ROOT / "assignments"


@dataclass(frozen=True)
class Limits:
    """Resource limits of one worker (``[limits]``); ``call_timeout`` is per call, the rest per process."""

    call_timeout: float = 20.0
    import_timeout: float = 30.0
    time_budget: float = 420.0  # seconds for a whole submission: fits Gradescope's 10 min
    memory_mb: int = 1536
    cpu_seconds: int = 600
    nproc: int = 256
    file_size_mb: int = 16
    disk_mb: int = 64  # the worker's whole writable folder (many small files fill a disk too)
    open_files: int = 64
    output_kb: int = 64


class ConfigError(ValueError):
    """An assignment.toml that is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Question:
    """A graded question: its points are split over its CPU cases by weight.

    ``functions``: the submitted functions the question grades (default: its title, when the
    title is a function name); used to say which function a failing self-check really blames.
    """

    id: str
    title: str
    points: float
    functions: tuple[str, ...] = ()

    @property
    def graded_functions(self) -> tuple[str, ...]:
        return self.functions or ((self.title,) if self.title.isidentifier() else ())


@dataclass(frozen=True)
class WorkerGroup:
    """Submitted files graded together in one worker process, under one import policy.

    Files with different policies never share a process: a NumPy-only file cannot reach a
    library that another submitted file is allowed to use.
    """

    files: tuple[str, ...]
    forbidden_imports: tuple[str, ...] = ()
    adapters: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()  # the graded functions its files must define (routing)


@dataclass(frozen=True)
class Assignment:
    """One assignment, as declared by its folder.

    Attributes:
        name: folder name, e.g. ``hw1_convolution``
        title: human title for handouts and reports
        files: the files a student submits, e.g. ``["convolution.py"]``
        questions: the graded questions, in order
        opaque_returns: function -> indices of returned tuple items kept in the worker
        forbidden_imports: modules a submission may not import (course policy)
        adapters: trusted modules from ``student/`` the worker imports after the submission and
            whose functions the checks may call (e.g. to drive a student's ``nn.Module`` with arrays)
        grading_requirements: extra pip requirements of the Gradescope environment (pinned)
        practice_requires: modules ``check.py --torch`` needs on the student's machine
        memoize: worker calls whose evidence depends only on the worker's files and the
            arguments (a seeded training run): computed once per grader process for identical bytes
        hidden_results: when students see the hidden tests' results on Gradescope:
            ``after_published`` (default: once grades are published), ``hidden`` (never) or ``visible``
        limits: the worker's resource limits
        directory: the assignment folder
        worker_groups: from ``[[workers]]``; by default one group holding every file, with the
            top-level ``forbidden_imports`` and ``adapters``
    """

    name: str
    title: str
    files: list[str]
    questions: list[Question]
    opaque_returns: dict[str, list[int]] = field(default_factory=dict)
    forbidden_imports: list[str] = field(default_factory=list)
    adapters: list[str] = field(default_factory=list)
    grading_requirements: list[str] = field(default_factory=list)
    practice_requires: list[str] = field(default_factory=lambda: ["torch"])
    memoize: list[str] = field(default_factory=list)
    hidden_results: str = "after_published"
    limits: Limits = Limits()
    directory: Path = ASSIGNMENTS_DIR
    workers: tuple[WorkerGroup, ...] = ()

    @property
    def worker_groups(self) -> tuple[WorkerGroup, ...]:
        if self.workers:
            return self.workers
        return (WorkerGroup(tuple(self.files), tuple(self.forbidden_imports), tuple(self.adapters)),)

    @property
    def owners(self) -> dict[str, int]:
        """Graded function (or class) -> index of the worker group whose files must define it.

        A call runs only in its owner's worker, whatever the submission defines where (hw4:
        Part 1 runs in ``resnet.py``'s NumPy-only worker even if ``models.py`` defines it too).
        From ``functions`` of each ``[[workers]]`` group, else from the solution's files; checked
        when the assignment is loaded (``_check_owners``)."""
        if len(self.worker_groups) == 1:
            return {}
        declared = {fn: i for i, g in enumerate(self.worker_groups) for fn in g.functions}
        return declared or self._solution_owners()

    def _solution_owners(self) -> dict[str, int]:
        owners: dict[str, int] = {}
        for i, group in enumerate(self.worker_groups):
            for name in group.files:
                path = self.solution_dir / name
                for fn in top_level_names(path.read_bytes()) if path.is_file() else ():
                    if not fn.startswith("_"):
                        owners.setdefault(fn, i)
        return owners

    def forbidden_for(self, filename: str) -> list[str]:
        """The modules ``filename`` may not import."""
        for group in self.worker_groups:
            if filename in group.files:
                return list(group.forbidden_imports)
        return list(self.forbidden_imports)

    @property
    def short_name(self) -> str:
        return self.name.split("_")[0]

    @property
    def modules(self) -> list[str]:
        return [Path(f).stem for f in self.files]

    @property
    def support_files(self) -> dict[str, bytes]:
        """Trusted files shipped with the bundle and given to the worker (``student/*``: modules,
        weights; not notebooks or text).

        They are placed next to the submission at grading time and cannot be replaced by it,
        so an earlier assignment's bug (e.g. in ``layers.py``) never cascades.
        """
        folder = self.directory / "student"
        return {p.name: p.read_bytes() for p in sorted(folder.glob("*")) if p.is_file() and p.suffix not in (".ipynb", ".md")}

    @property
    def max_score(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def solution_dir(self) -> Path:
        return ROOT / "solutions" / self.name

    @property
    def starter_dir(self) -> Path:
        return ROOT / "starter" / self.name

    def question(self, qid: str) -> Question:
        for q in self.questions:
            if q.id == qid:
                return q
        raise ConfigError(f"{self.name}: unknown question {qid!r}")


_TOP_KEYS = {
    "name", "title", "files", "questions", "opaque_returns", "forbidden_imports", "adapters",
    "grading_requirements", "practice_requires", "memoize", "limits", "workers", "hidden_results",
}  # fmt: skip
_WORKER_KEYS = {"files", "forbidden_imports", "adapters", "functions"}


def top_level_names(source: bytes) -> set[str]:
    """Top-level functions, classes and assigned names of a Python file (statically: nothing runs)."""
    import ast

    try:
        tree = ast.parse(source.decode("utf-8", "replace"))
    except (SyntaxError, ValueError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def _worker_groups(raw: list[dict], files: list[str], path: Path, top_level: set[str]) -> tuple[WorkerGroup, ...]:
    groups = []
    for entry in raw:
        unknown = set(entry) - _WORKER_KEYS
        if unknown:
            raise ConfigError(f"{path}: unknown keys {sorted(unknown)} in [[workers]]")
        groups.append(
            WorkerGroup(tuple(entry["files"]), tuple(entry.get("forbidden_imports", [])), tuple(entry.get("adapters", [])), tuple(entry.get("functions", [])))
        )
    if groups and (both := {"forbidden_imports", "adapters"} & top_level):
        raise ConfigError(f"{path}: with [[workers]], give {sorted(both)} per group, not at the top level")
    listed = [f for g in groups for f in g.files]
    if groups and sorted(listed) != sorted(files):
        raise ConfigError(f"{path}: [[workers]] must list every submitted file exactly once (files = {files}, listed {listed})")
    return tuple(groups)


def load_assignment(directory: Path) -> Assignment:
    """Parse and validate one ``assignment.toml``."""
    path = directory / "assignment.toml"
    if not path.is_file():
        raise ConfigError(f"{path} does not exist")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown keys {sorted(unknown)}")
    limit_names = {f.name for f in fields(Limits)}
    bad_limits = set(raw.get("limits", {})) - limit_names
    if bad_limits:
        raise ConfigError(f"{path}: unknown limits {sorted(bad_limits)}; allowed: {sorted(limit_names)}")
    try:
        questions = [Question(q["id"], q["title"], float(q["points"]), tuple(q.get("functions", []))) for q in raw["questions"]]
        assignment = Assignment(
            name=raw["name"],
            title=raw["title"],
            files=list(raw["files"]),
            questions=questions,
            opaque_returns={k: list(v) for k, v in raw.get("opaque_returns", {}).items()},
            forbidden_imports=list(raw.get("forbidden_imports", [])),
            adapters=list(raw.get("adapters", [])),
            grading_requirements=list(raw.get("grading_requirements", [])),
            practice_requires=list(raw.get("practice_requires", ["torch"])),
            memoize=list(raw.get("memoize", [])),
            hidden_results=str(raw.get("hidden_results", "after_published")),
            limits=Limits(**raw.get("limits", {})),
            directory=directory,
            workers=_worker_groups(raw.get("workers", []), list(raw["files"]), path, set(raw)),
        )
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: missing or malformed key: {exc}") from None
    if assignment.name != directory.name:
        raise ConfigError(f"{path}: name {assignment.name!r} must equal the folder name")
    if assignment.hidden_results not in HIDDEN_RESULTS:
        raise ConfigError(f"{path}: hidden_results = {assignment.hidden_results!r}; allowed: {', '.join(HIDDEN_RESULTS)}")
    if len({q.id for q in questions}) != len(questions):
        raise ConfigError(f"{path}: duplicate question ids")
    _check_owners(assignment, path)
    return assignment


def _check_owners(assignment: Assignment, path: Path) -> None:
    """With several worker groups, every graded function has exactly one owner: declared ones
    may not repeat, nor disagree with the solution's files where those exist, and a
    question's graded functions must each have one."""
    groups = assignment.worker_groups
    if len(groups) == 1:
        return
    declared = [fn for g in groups for fn in g.functions]
    if len(set(declared)) != len(declared):
        raise ConfigError(f"{path}: a function is listed in the functions of two [[workers]] groups: {sorted({f for f in declared if declared.count(f) > 1})}")
    derived: dict[str, set[int]] = {}
    for i, group in enumerate(groups):
        for name in group.files:
            solution = assignment.solution_dir / name
            for fn in top_level_names(solution.read_bytes()) if solution.is_file() else ():
                derived.setdefault(fn, set()).add(i)
    ambiguous = sorted(fn for fn, owners in derived.items() if len(owners) > 1 and not fn.startswith("_") and fn not in declared)
    if ambiguous:
        raise ConfigError(f"{path}: {ambiguous} defined in the solution files of several [[workers]] groups: give each group's functions")
    owners = assignment.owners
    for fn, i in owners.items():
        if derived and i not in derived.get(fn, {i}):
            raise ConfigError(f"{path}: {fn} is listed for {list(groups[i].files)} but the solution defines it in another file")
    unowned = sorted(fn for q in assignment.questions for fn in q.graded_functions if fn not in owners)
    if unowned:
        raise ConfigError(f"{path}: no [[workers]] group owns {unowned}: list them in a group's functions")


def all_assignments() -> list[Assignment]:
    return [load_assignment(p.parent) for p in sorted(ASSIGNMENTS_DIR.glob("*/assignment.toml"))]


def find_assignment(name: str) -> Assignment:
    """Find an assignment by full name (``hw1_convolution``) or short name (``hw1``)."""
    for assignment in all_assignments():
        if name in (assignment.name, assignment.short_name):
            return assignment
    known = ", ".join(a.name for a in all_assignments()) or "none"
    raise ConfigError(f"no assignment called {name!r} (known: {known})")
