"""Release-time tables: every CPU reference and every mutant's outcome, computed once and shipped.

On Gradescope the grader runs from the autograder zip, which holds neither solutions nor
mutants, in a container without a GPU and with 768 MB. So ``make release`` computes, per
assignment, with the trusted solution and the mutant catalog:

- the CPU reference of every case that has one (``case.reference("cpu")``);
- which of the submitted functions each case calls (the case run on the solution through the
  grader's recording wrapper, ``verdicts.Recorder``), and for every signature affecting one of
  them, what diagnoses need: its *outcome* on the case (the outputs it returns, or the check's
  failure message, or that it crashed), plus each signature's name, explanation, functions,
  the functions it affects, the outputs it explains, family, siblings and priority, and which
  graded functions the solution writes with which (``reaches``: root cause first);
- the values of the hidden tests' ``@refkit.tabled`` functions: check inputs computed with
  torch (a model's weights, a shipped network's activations).

It is written with the wire format's encoding (JSON header, raw array bytes; never a pickle) as
``tables.bin`` beside the assignment's tests in the zip. With it the grader needs no PyTorch
import at all on a machine without a GPU (hidden tests import torch lazily through ``refkit``),
and diagnoses are the same as local grading's. The table carries a digest of what it depends on
among the shipped files (``assignment.toml``, the public and hidden tests, the support files,
``checklib.py`` and ``refkit.py``): a table that does not match is refused, and the grader falls
back to computing references (and gives no diagnosis), never to a wrong answer.

This module is the data: ``Signature``, ``Outcome``, the encoding, reading and finding tables.
``autograder/mutants.py`` (staff code, never shipped) builds them; ``autograder/diagnose.py``
reads them. Building runs every relevant mutant on every case, so built tables are cached in ``<ROOT>/.tmp/tables-cache/<name>-<digest>.bin``, the digest also covering the
solution, the mutants, the engine code that runs them and the library versions.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import wire
from .checklib import Raised
from .config import ROOT, Assignment

FORMAT = 2
TABLE_FILE = "tables.bin"  # in the zip: files/convlab/assignments/<hw>/tables.bin
MAGIC = b"CONVLAB-TABLE\n"
CACHE_DIR = ROOT / ".tmp" / "tables-cache"  # .tmp is hidden from workers; the folder is 0700, tables 0600
SHIPPED_TESTS = ("public.py", "hidden.py")
ENGINE_INPUTS = ("checklib.py", "refkit.py")  # shipped beside the table: they shape cases and references
BUILD_CODE = ("tables.py", "mutants.py", "verdicts.py", "grade.py")  # not shipped inputs, but they make the table
LIBRARIES = ("torch", "numpy", "scipy", "captum")
MAX_TABLE_BYTES = 256 << 20


class TableError(ValueError):
    """A table file that is malformed, for another assignment, or stale."""


@dataclass
class Signature:
    """A named misconception: the mutant that implements it and what to tell the student.

    ``functions``: the functions the mutant changes (a function it restates unchanged is not
    one); ``affects``: those and every function of the solution that calls one of them (the
    cases that call none of these behave as the solution's); ``outputs``: the outputs it
    explains (empty: all of them); ``family``: the name the student sees and the gradebook
    counts (a family's variants share it); ``siblings``: the families naming the same
    misconception elsewhere (left out together when the catalog is measured).
    """

    name: str
    explanation: str
    functions: set[str]
    priority: int = 0
    affects: set[str] = field(default_factory=set)
    outputs: tuple[str, ...] = ()
    family: str = ""
    siblings: set[str] = field(default_factory=set)
    module: Any = field(default=None, repr=False)  # the imported mutant (live catalog only)

    def __post_init__(self) -> None:
        self.family = self.family or self.name
        self.affects = set(self.affects) | set(self.functions)

    def header(self) -> dict:
        return {
            "name": self.name, "explanation": self.explanation, "functions": sorted(self.functions),
            "priority": self.priority, "affects": sorted(self.affects), "outputs": list(self.outputs),
            "family": self.family, "siblings": sorted(self.siblings),
        }  # fmt: skip

    @classmethod
    def from_header(cls, s: dict) -> "Signature":
        return cls(
            str(s["name"]), str(s["explanation"]), set(s["functions"]), int(s["priority"]), set(s["affects"]),
            tuple(s["outputs"]), str(s["family"]), set(s["siblings"]),
        )  # fmt: skip


LONG_CASE_SECONDS = 60  # a case allowed this long (a training run) records no signature outcome


def records_outcomes(case: Any) -> bool:
    """Whether signatures' outcomes are recorded on ``case``: not on a long case (hw4 trains a
    model per mutant there; minutes of release time for a line no one needs). Both catalogs
    follow this rule, so they answer alike: no catalog line comes from such a case."""
    return not (case.timeout and case.timeout > LONG_CASE_SECONDS)


@dataclass(frozen=True)
class Outcome:
    """What a signature does on a case: ``returned`` its outputs (``value``), ``failed`` the
    check with a message (``value``), or ``crashed`` (matches nothing)."""

    kind: str
    value: Any = None


# ---------------------------------------------------------------- digests


def _hasher(*parts: tuple[str, bytes]) -> Any:
    h = hashlib.sha256()
    for label, data in parts:
        h.update(label.encode() + b"\0" + struct.pack(">Q", len(data)) + data)
    return h


def _input_parts(assignment: Assignment) -> list[tuple[str, bytes]]:
    engine = Path(__file__).parent
    parts = [("format", str(FORMAT).encode()), ("assignment.toml", (assignment.directory / "assignment.toml").read_bytes())]
    parts += [(f"tests/{name}", (assignment.directory / "tests" / name).read_bytes()) for name in SHIPPED_TESTS]
    parts += [(f"student/{name}", data) for name, data in sorted(assignment.support_files.items())]
    parts += [(f"engine/{name}", (engine / name).read_bytes()) for name in ENGINE_INPUTS]
    return parts


def input_digest(assignment: Assignment) -> str:
    """The digest of the shipped files a table depends on (what the grader checks)."""
    return _hasher(*_input_parts(assignment)).hexdigest()


def cache_digest(assignment: Assignment) -> str:
    """The digest of everything a table is built from: the shipped inputs, plus the solution,
    the mutants, the code that runs them and the library versions (the cache key)."""
    engine = Path(__file__).parent
    parts = _input_parts(assignment)
    parts += [(f"solution/{name}", (assignment.solution_dir / name).read_bytes()) for name in assignment.files]
    parts += [(f"mutants/{p.name}", p.read_bytes()) for p in sorted((assignment.directory / "mutants").glob("*.py"))]
    parts += [(f"engine/{name}", (engine / name).read_bytes()) for name in BUILD_CODE]
    for library in LIBRARIES:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            parts.append((f"version/{library}", importlib.metadata.version(library).encode()))
    return _hasher(*parts).hexdigest()


# ---------------------------------------------------------------- values


class Unmatchable:
    """A mutant's value a table cannot store (not an array or plain value): it matches nothing,
    as in the live catalog, where a student's value, decoded from the wire, never equals it."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<{self.type_name} not stored in the table>"


def _encode(value: Any, blobs: list[bytes]) -> Any:
    """Tagged JSON as ``wire.encode``, plus ``raised`` (a ``checklib.Raised``) and ``never``
    (an ``Unmatchable``); arrays point into the table's shared ``blobs``."""
    if isinstance(value, Raised):
        return {"t": "raised", "v": str(value), "bases": list(value.bases)}
    if type(value) in (tuple, list):
        return {"t": type(value).__name__, "v": [_encode(v, blobs) for v in value]}
    if type(value) is dict and all(type(k) is str for k in value):
        return {"t": "dict", "v": {k: _encode(v, blobs) for k, v in value.items()}}
    tagged, own = wire.encode(value)
    if isinstance(tagged, dict) and tagged.get("t") not in ("nd", "np"):  # opaque: an object, a set, a tensor...
        return {"t": "never", "type": type(value).__name__[:80]}
    if isinstance(tagged, dict) and tagged["t"] == "nd":
        tagged = {**tagged, "i": len(blobs)}
        blobs.extend(own)
    return tagged


def _storable(tagged: Any) -> bool:
    """No ``never`` inside: the value decodes to exactly what was encoded."""
    if isinstance(tagged, dict):
        if tagged.get("t") == "never":
            return False
        inner = tagged.get("v")
        items = inner.values() if isinstance(inner, dict) else inner if isinstance(inner, list) else []
        return all(_storable(v) for v in items)
    return True


def stored(value: Any, blobs: list[bytes]) -> Any | None:
    """``value`` encoded into ``blobs``, or None (nothing kept) if it would not decode to itself."""
    mark = len(blobs)
    tagged = _encode(value, blobs)
    if _storable(tagged):
        return tagged
    del blobs[mark:]
    return None


def _decode(tagged: Any, blobs: list[Any]) -> Any:
    if isinstance(tagged, dict):
        tag = tagged.get("t")
        if tag == "raised":
            return Raised(str(tagged["v"]), tuple(str(b) for b in tagged["bases"]))
        if tag in ("tuple", "list"):
            items = [_decode(v, blobs) for v in tagged["v"]]
            return tuple(items) if tag == "tuple" else items
        if tag == "dict":
            return {str(k): _decode(v, blobs) for k, v in tagged["v"].items()}
        if tag == "never":
            return Unmatchable(str(tagged.get("type", "?")))
    return wire.decode(tagged, blobs)


# ---------------------------------------------------------------- the table


class Table:
    """A parsed table: references and outcomes are decoded on demand."""

    def __init__(self, header: dict, blobs: list[Any]) -> None:
        self.assignment: str = header["assignment"]
        self.digest: str = header["digest"]
        self.signatures = [Signature.from_header(s) for s in header["signatures"]]
        self.reaches: dict[str, set[str]] = {k: set(v) for k, v in header["reaches"].items()}
        self._cases: dict[str, dict] = header["cases"]
        self._tabled: dict[str, Any] = header["tabled"]
        self._blobs = blobs

    def case_ids(self) -> list[str]:
        return list(self._cases)

    def has_reference(self, case_id: str) -> bool:
        return "reference" in self._cases.get(case_id, {})

    def reference(self, case_id: str) -> dict:
        """The case's CPU reference outputs (``has_reference`` first)."""
        return _decode(self._cases[case_id]["reference"], self._blobs)

    def called(self, case_id: str) -> set[str] | None:
        """The functions the case called on the solution (None: not a case of this table)."""
        entry = self._cases.get(case_id)
        return set(entry["called"]) if entry is not None else None

    def tabled(self, key: str) -> tuple[bool, Any]:
        """(found, value) of a ``@refkit.tabled`` call, by its key."""
        if key not in self._tabled:
            return False, None
        return True, _decode(self._tabled[key], self._blobs)

    def outcome(self, case_id: str, signature: str) -> Outcome | None:
        """What the signature's mutant did on the case; None if the table does not know."""
        stored = self._cases.get(case_id, {}).get("outcomes", {}).get(signature)
        if stored is None:
            return None
        if stored["k"] == "returned":
            return Outcome("returned", _decode(stored["v"], self._blobs))
        if stored["k"] == "failed":
            return Outcome("failed", str(stored["m"]))
        return Outcome("crashed")


def dumps(header: dict, blobs: list[bytes]) -> bytes:
    header = dict(header, blob_sizes=[len(b) for b in blobs])
    head = json.dumps(header, separators=(",", ":")).encode()  # key order kept: outputs are compared in order
    return b"".join([MAGIC, struct.pack(">Q", len(head)), head, *blobs])


def parse(data: bytes) -> Table:
    """Read a table (no digest check: see ``load``); raises ``TableError`` if malformed."""
    try:
        if not data.startswith(MAGIC) or len(data) > MAX_TABLE_BYTES:
            raise TableError("not a ConvLab table")
        view = memoryview(data)
        (length,) = struct.unpack(">Q", view[len(MAGIC) : len(MAGIC) + 8])
        start = len(MAGIC) + 8
        header = json.loads(bytes(view[start : start + length]))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise TableError(f"table format {header.get('format') if isinstance(header, dict) else '?'}, expected {FORMAT}")
        blobs, offset = [], start + length
        for size in header["blob_sizes"]:
            if type(size) is not int or size < 0 or offset + size > len(data):
                raise TableError("truncated table")
            blobs.append(view[offset : offset + size])
            offset += size
        if offset != len(data):
            raise TableError("trailing bytes after the table")
        return Table(header, blobs)
    except (KeyError, TypeError, ValueError, struct.error) as exc:
        if isinstance(exc, TableError):
            raise
        raise TableError(f"malformed table: {type(exc).__name__}: {exc}") from None


def load(path: Path, assignment: Assignment) -> Table:
    """Read ``path`` and check it was built for ``assignment``'s shipped files as they are."""
    table = parse(path.read_bytes())
    if table.assignment != assignment.name:
        raise TableError(f"{path} is the table of {table.assignment}, not of {assignment.name}")
    if table.digest != input_digest(assignment):
        raise TableError(f"{path} was built for other tests or another engine (digest mismatch)")
    return table


# ---------------------------------------------------------------- where the grader finds tables

_LOADED: dict[str, Table | None] = {}
_INSTALLED: dict[str, Table] = {}


def table_for(assignment: Assignment) -> Table | None:
    """The assignment's valid table (``<assignment>/tables.bin``, as in the zip), or None.

    A missing table is normal (a checkout); a stale or malformed one is refused with a warning
    on stderr: references are then computed and diagnoses come only from a live catalog.
    """
    key = str(assignment.directory)
    if key in _INSTALLED:
        return _INSTALLED[key]
    if key not in _LOADED:
        path = assignment.directory / TABLE_FILE
        table = None
        if path.is_file():
            try:
                table = load(path, assignment)
            except (OSError, TableError) as exc:
                print(f"ConvLab: table refused, references computed instead: {exc}", file=sys.stderr)
        _LOADED[key] = table
    return _LOADED[key]


def tabled_value(assignment: Assignment, key: str) -> tuple[bool, Any]:
    """A ``@refkit.tabled`` value from the assignment's table: (found, value)."""
    table = table_for(assignment)
    return table.tabled(key) if table is not None else (False, None)


def any_loaded() -> bool:
    """Whether this process has found a valid table (it grades from a release's table)."""
    return any(t is not None for t in _LOADED.values()) or bool(_INSTALLED)


def installed_table(assignment: Assignment) -> Table | None:
    return _INSTALLED.get(str(assignment.directory))


@contextlib.contextmanager
def installed(assignment: Assignment, table: Table) -> Iterator[Table]:
    """Grade ``assignment`` from ``table`` even where the mutants are (tests: table vs live)."""
    key = str(assignment.directory)
    previous = _INSTALLED.get(key)
    _INSTALLED[key] = table
    try:
        yield table
    finally:
        if previous is None:
            _INSTALLED.pop(key, None)
        else:
            _INSTALLED[key] = previous


# ---------------------------------------------------------------- building (autograder/mutants.py computes)


def outcome_entry(outcome: Outcome, blobs: list[bytes]) -> dict:
    """An outcome as the table stores it (a value not storable is kept as "never": matches nothing)."""
    if outcome.kind == "returned":
        return {"k": "returned", "v": _encode(outcome.value, blobs)}
    if outcome.kind == "failed":
        return {"k": "failed", "m": outcome.value}
    return {"k": "crashed"}


def cache_path(assignment: Assignment) -> Path:
    return CACHE_DIR / f"{assignment.name}-{cache_digest(assignment)[:24]}.bin"


def table_bytes(assignment: Assignment) -> bytes:
    """The assignment's table, from the cache or built now (one builder at a time per table).

    The build runs in a fresh interpreter: it reads the sources as they are on disk now (this
    process may hold older copies of the tests or mutants), and its imports of every mutant
    and its training runs leave this process alone.
    """
    from filelock import FileLock

    path = cache_path(assignment)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):  # another user's cache: theirs to protect
        os.chmod(path.parent, 0o700)

    def cached() -> bytes | None:
        with contextlib.suppress(OSError, TableError):
            data = path.read_bytes()
            parse(data)
            return data
        return None

    data = cached()
    if data is not None:
        return data
    with FileLock(str(path.with_name(path.name + ".lock"))):
        data = cached()  # another process may have built it while we waited
        if data is None:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                data = _build_elsewhere(assignment, tmp, path.name)
                if tmp.exists():
                    os.chmod(tmp, 0o600)
                    os.replace(tmp, path)
                    _prune(assignment, keep=path)
            finally:
                tmp.unlink(missing_ok=True)
    return data


def _build_elsewhere(assignment: Assignment, out: Path, expected: str) -> bytes:
    """Build in a child interpreter; it writes ``out`` only if the sources it built from are the
    ones ``expected`` names (else the table is used here once, never cached)."""
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from autograder.mutants import build_main; sys.exit(build_main(*sys.argv[2:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(ROOT), str(assignment.directory), str(out), expected],
        cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode not in (0, 3):
        raise TableError(f"building the table of {assignment.name} failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    data = Path(done.stdout.strip().splitlines()[-1]).read_bytes()
    if done.returncode == 3:
        print(f"ConvLab: {assignment.name}'s sources changed while its table was built: not cached", file=sys.stderr)
        Path(done.stdout.strip().splitlines()[-1]).unlink(missing_ok=True)
    return data


def _prune(assignment: Assignment, keep: Path) -> None:
    """Drop this assignment's cached tables of other sources once a day old (until then a
    process still grading the previous version may want it)."""
    for old in CACHE_DIR.glob(f"{assignment.name}-*.bin*"):
        if old not in (keep, keep.with_name(keep.name + ".lock")):
            with contextlib.suppress(OSError):
                if time.time() - old.stat().st_mtime > 86400:
                    old.unlink()


_CHECKOUT: dict[str, Table | None] = {}


def checkout_table(assignment: Assignment) -> Table | None:
    """In a checkout, the table a release of it would ship: from the cache, else built now,
    once for every grader process of the checkout (the live catalog would run the mutants again
    in each process). None where it cannot be read or built here (another user's cache)."""
    key = str(assignment.directory)
    if key not in _CHECKOUT:
        try:
            _CHECKOUT[key] = parse(table_bytes(assignment))
        except (OSError, TableError) as exc:
            print(f"ConvLab: no cached table of {assignment.name} ({exc}): the mutants run here instead", file=sys.stderr)
            _CHECKOUT[key] = None
    return _CHECKOUT[key]


def write_table(assignment: Assignment, folder: Path) -> Path:
    """Write the assignment's table into ``folder`` (the zip's copy of the assignment folder)."""
    path = folder / TABLE_FILE
    path.write_bytes(table_bytes(assignment))
    return path
