"""Turn one upload into the files to grade, or a clear error: the same rules everywhere.

Local grading (an entry of a submissions folder, or one folder of a Gradescope export) and the
autograder zip's ``prepare`` on Gradescope both end in ``choose_files``, so an upload grades
the same way on every path. An entry is ``NAME.py`` (the single file of a one-file assignment),
a folder ``NAME/`` or a ``NAME.zip``. Zips are read in memory, never extracted: members with
absolute paths, ``..`` or symlinks are ignored, sizes are bounded (zip bombs), and ``\\``
separators (PowerShell 5.1's ``Compress-Archive``) are read as folders.

The rules, in order, per expected file:

1. an instructor's rename (``--rename convolution.py=hw1.py``), noted;
2. the exact name, the copy nearest the top; two different copies at that depth are refused,
   naming both; a different copy deeper down is noted as not graded;
3. else one near-name (``Convolution.py``, ``convolution (1).py``, ``convolution - Copy.py``,
   ``convolution_final.py``, ``hw1_convolution.py``, ``my_convolution.py``,
   ``convolution-1.py``, ``convolution.py.txt``), noted; several different ones are refused,
   naming them;
4. else, when the upload is a single zip (a zip inside the zip), the same rules inside it.

The chosen file must be Python text: UTF-8, or another encoding its PEP 263 coding line
declares (re-encoded as UTF-8, as Python reads it); UTF-16, undeclared Windows-1252, notebooks
saved as ``.py``, binaries, empty files and files over ``MAX_FILE_BYTES`` get a message saying
exactly what is wrong.
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import Assignment

MAX_FILE_BYTES = 2 << 20
MAX_ZIP_MEMBERS = 200
MAX_ZIP_TOTAL_BYTES = 20 << 20
UPLOAD_DEPTH = 4  # folders below an upload's top that are searched (a zip's own folders)


class SubmissionError(ValueError):
    """The entry cannot be graded; the message says why, for the student and the gradebook."""


class TooLarge(bytes):
    """An uploaded file over ``MAX_FILE_BYTES``: stands for it (its size) without its bytes."""

    def __new__(cls, size: int) -> "TooLarge":
        obj = super().__new__(cls, b"")
        obj.size = size
        return obj


@dataclass
class Submission:
    name: str
    files: dict[str, bytes]
    notes: list[str] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)  # graded name -> the uploaded path it came from
    uploaded: list[str] = field(default_factory=list)  # every uploaded path considered

    def manifest(self) -> dict:
        """What was graded and what ignored, as the results tell the student (``report.upload_summary``)."""
        ignored = ignored_files(self.uploaded, self)
        return {"uploaded": sorted(self.uploaded), "graded": dict(self.origins), "ignored": ignored, "notes": list(self.notes), "error": None}


@dataclass(frozen=True)
class Entry:
    """One submission to grade: ``NAME.py``, ``NAME/`` or ``NAME.zip`` (``path``), or one
    folder of a zipped Gradescope export (``member``: its folder inside the zip at ``path``).
    ``skip``: paths in it that are not the student's (Gradescope's ``results.json``)."""

    path: Path
    name: str
    member: str = ""
    skip: tuple[str, ...] = ()

    @classmethod
    def of(cls, path: Path) -> "Entry":
        return cls(path, submission_name(path))


def submission_name(entry: Path) -> str:
    return entry.stem if entry.is_file() else entry.name


# ---------------------------------------------------------------- names


def _near_name(path: str, expected: str, short_name: str) -> bool:
    """Whether an uploaded file name is a usual renaming of ``expected``: ``Convolution.py``,
    ``convolution (1).py``, ``convolution - Copy.py``, ``Copy of convolution.py``,
    ``convolution_final.py``, ``convolution_v2.py``, ``convolution-1.py``, ``hw1_convolution.py``,
    ``my_convolution.py``, ``convolution.py.txt`` (and combinations: ``convolution_final (1).py``)."""
    name = PurePosixPath(path).name.lower()
    stem, ext = expected.lower().rsplit(".", 1)
    prefix = rf"(?:copy of |my[_\- ]?|{re.escape(short_name.lower())}[_\- ]?)?"
    suffix = r"(?:\s*[\(\[]\d+[\)\]]|\s+-\s+copy|[_\- ]?(?:final|copy|v?\d+))*"
    return re.fullmatch(rf"\s*{prefix}{re.escape(stem)}{suffix}\s*\.{ext}(?:\.txt)?", name) is not None


def _depth(path: str) -> int:
    return len(PurePosixPath(path).parts)


def _distinct(paths: list[str], candidates: dict[str, bytes]) -> list[str]:
    """One path per distinct content (the first in order), so identical copies never conflict."""
    seen: dict[bytes, str] = {}
    for p in sorted(paths, key=lambda p: (_depth(p), p)):
        data = candidates[p]
        seen.setdefault(data if not isinstance(data, TooLarge) else b"\0too large:" + p.encode(), p)
    return list(seen.values())


def _pick(expected: str, candidates: dict[str, bytes], short_name: str, rename: str | None) -> tuple[str | None, list[str]]:
    """The uploaded path graded as ``expected`` (None: not found) and the notes it needs."""
    if rename:
        named = [p for p in candidates if p == rename or PurePosixPath(p).name == rename]
        if named:
            chosen = _distinct(named, candidates)[0]
            return chosen, [f"graded {chosen!r} as {expected!r} (instructor's rename)"]
    exact = [p for p in candidates if PurePosixPath(p).name == expected]
    if exact:
        top = min(map(_depth, exact))
        nearest = _distinct([p for p in exact if _depth(p) == top], candidates)
        if len(nearest) > 1:
            raise SubmissionError(f"{len(nearest)} different {expected} found: {', '.join(nearest)}; upload one")
        deeper = [p for p in _distinct(exact, candidates) if p != nearest[0]]
        notes = [f"graded {nearest[0]!r}; a different copy in {', '.join(deeper)} was not graded"] if deeper else []
        return nearest[0], notes
    near = _distinct([p for p in candidates if _near_name(p, expected, short_name)], candidates)
    if len(near) > 1:
        raise SubmissionError(f"several different files could be {expected}: {', '.join(near)}; upload exactly one, named {expected}")
    if near:
        return near[0], [f"graded {near[0]!r} as {expected!r} (the file should be named {expected})"]
    return None, []


# ---------------------------------------------------------------- contents

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)
_CODING_TEXT = re.compile(r"^([ \t\f]*#.*?coding[:=][ \t]*)([-\w.]+)")


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf16_text(data: bytes) -> bool:
    """UTF-16 without a byte-order mark: it decodes to text that is (nearly) all printable."""
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if text and sum(c.isprintable() or c in "\r\n\t" for c in text) >= 0.95 * len(text):
            return True
    return False


def python_text(name: str, data: bytes) -> bytes:
    """``data`` as UTF-8 Python source, or a ``SubmissionError`` saying exactly what it is.

    A PEP 263 coding line (in the first two lines) is honoured as Python does: the file is
    re-encoded as UTF-8 and the line then declares utf-8 (same lines, same line numbers)."""
    if isinstance(data, TooLarge):
        raise SubmissionError(f"{name} is {data.size / (1 << 20):.1f} MB, over the {MAX_FILE_BYTES >> 20} MB limit for a submitted file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\0" in data and _utf16_text(data)):
        raise SubmissionError(f"{name} is saved as UTF-16 (Windows editors and PowerShell's `>` do this): save it as UTF-8 and upload again")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a UTF-8 byte-order mark: Python ignores it, and so do we
    if b"\0" in data:
        raise SubmissionError(f"{name} is a binary file, not Python source (was a .pyc, a zip or an image uploaded under this name?)")
    declared = _CODING.search(b"\n".join(data.split(b"\n", 2)[:2]))
    codec = declared.group(1).decode("ascii", "replace") if declared else "utf-8"
    try:
        text = data.decode(codec)
    except LookupError:
        raise SubmissionError(f"{name} declares the encoding {codec!r} (line {_line_of(data, declared.start())}), which Python does not know: save it as UTF-8 and upload again") from None
    except UnicodeDecodeError as exc:
        where = f"byte 0x{data[exc.start]:02x} on line {_line_of(data, exc.start)}"
        if declared:
            raise SubmissionError(f"{name} declares {codec!r} but is not ({where}): save it as UTF-8 and upload again") from None
        raise SubmissionError(f"{name} is not UTF-8 ({where}; Windows editors often save as Windows-1252): save it as UTF-8 and upload again") from None
    if not text.strip():
        raise SubmissionError(f"{name} is empty")
    if text.lstrip().startswith("{"):
        try:
            notebook = json.loads(text)
        except ValueError:
            notebook = None
        if isinstance(notebook, dict) and ("cells" in notebook or "nbformat" in notebook):
            raise SubmissionError(f"{name} holds a Jupyter notebook (JSON), not Python: export the code (File > Save and Export as > Python) or copy the functions into {name}")
    if declared and codec.lower().replace("_", "-") not in ("utf-8", "utf8"):
        lines = text.split("\n", 2)
        for i, line in enumerate(lines[:2]):
            if _CODING_TEXT.match(line):
                lines[i] = _CODING_TEXT.sub(lambda m: m.group(1) + "utf-8", line, count=1)
                break
        return "\n".join(lines).encode("utf-8")
    return data


# ---------------------------------------------------------------- choosing


def choose_files(assignment: Assignment, candidates: dict[str, bytes], renames: dict[str, str] | None = None) -> Submission:
    """Pick the assignment's files among uploaded ``relative path -> bytes``; ignore the rest.

    ``renames``: expected name -> uploaded file name or path, an instructor's override.
    """
    files, notes, origins = {}, [], {}
    for expected in assignment.files:
        chosen, picked_notes = _pick(expected, candidates, assignment.short_name, (renames or {}).get(expected))
        if chosen is not None:
            files[expected], origins[expected] = candidates[chosen], chosen
            notes += picked_notes
    if not files:
        zips = [p for p in candidates if p.lower().endswith(".zip") and not isinstance(candidates[p], TooLarge)]
        if len(zips) == 1 and not any(p.lower().endswith(".py") for p in candidates):
            inner = read_zip_bytes(candidates[zips[0]], zips[0])
            submission = choose_files(assignment, {f"{zips[0]}/{p}": d for p, d in inner.items()}, renames)
            submission.notes.append(f"graded the contents of {zips[0]} (a zip inside the upload)")
            submission.uploaded = sorted(candidates)  # what was uploaded: the zip and the rest
            return submission
        found = ", ".join(sorted(candidates)) or "no files"
        raise SubmissionError(f"no {' or '.join(assignment.files)} found (found: {found})")
    for name in files:
        files[name] = python_text(name, files[name])
    missing = [f for f in assignment.files if f not in files]
    if missing:
        notes.append(f"missing file(s): {', '.join(missing)} (their questions get 0)")
    return Submission("", files, notes, origins, sorted(candidates))


def ignored_files(uploaded: list[str], submission: Submission) -> list[str]:
    """The uploaded paths not graded (a zip whose contents were graded counts as graded)."""
    used = set(submission.origins.values())
    return sorted(p for p in uploaded if p not in used and not any(u.startswith(p + "/") for u in used))


# ---------------------------------------------------------------- reading uploads


def _upload_path(name: str) -> PurePosixPath | None:
    """A member or file name as a relative path (``\\`` is a separator, as Windows meant it),
    or None for what is never the student's code: absolute, ``..``, hidden, ``__MACOSX``."""
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or not pure.parts or ".." in pure.parts or "__MACOSX" in pure.parts:
        return None
    if any(part.startswith(".") for part in pure.parts) or "__pycache__" in pure.parts:
        return None
    return pure


def _read_zip(zf: zipfile.ZipFile, label: str, prefix: str = "") -> dict[str, bytes]:
    infos = [i for i in zf.infolist() if i.filename.startswith(prefix)]
    if len(infos) > MAX_ZIP_MEMBERS:
        raise SubmissionError(f"{label} has {len(infos)} members (at most {MAX_ZIP_MEMBERS})")
    out: dict[str, bytes] = {}
    total = 0
    for info in infos:
        pure = _upload_path(info.filename[len(prefix) :])
        if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16) or pure is None:
            continue
        if info.file_size > MAX_FILE_BYTES:
            out.setdefault(str(pure), TooLarge(info.file_size))  # never decompressed
            continue
        total += info.file_size
        if total > MAX_ZIP_TOTAL_BYTES:
            raise SubmissionError(f"{label} expands to more than {MAX_ZIP_TOTAL_BYTES >> 20} MB")
        with zf.open(info) as member:
            data = member.read(MAX_FILE_BYTES + 1)  # a lying header: the real size is what counts
        out.setdefault(str(pure), data if len(data) <= MAX_FILE_BYTES else TooLarge(len(data)))
    return out


def read_zip(path: Path, prefix: str = "") -> dict[str, bytes]:
    """``relative path -> bytes`` of a zip's files (under ``prefix``: one folder of an export)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return _read_zip(zf, path.name, prefix)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:
        raise SubmissionError(f"{path.name} is not a valid zip file ({exc})") from None


def read_zip_bytes(data: bytes, label: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return _read_zip(zf, label)
    except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:
        raise SubmissionError(f"{label} is not a valid zip file ({exc})") from None


def read_folder(path: Path, depth: int = UPLOAD_DEPTH, prefix: str = "") -> dict[str, bytes]:
    """``relative path -> bytes`` of a folder's files, down to ``depth`` levels of subfolders;
    hidden entries (``.ipynb_checkpoints``), ``__pycache__``, ``__MACOSX`` and symlinks are
    skipped; a file named with ``\\`` (a PowerShell zip extracted on Linux) is read as a path."""
    out: dict[str, bytes] = {}
    for child in sorted(path.iterdir()):
        pure = _upload_path(prefix + child.name)
        if child.is_symlink() or pure is None:
            continue
        if child.is_dir() and depth > 0:
            out.update(read_folder(child, depth - 1, f"{prefix}{child.name}/"))
        elif child.is_file():
            size = child.stat().st_size
            out.setdefault(str(pure), child.read_bytes() if size <= MAX_FILE_BYTES else TooLarge(size))
    return out


def load_submission(assignment: Assignment, entry: Path | Entry, renames: dict[str, str] | None = None) -> Submission:
    """Read one entry of a submissions folder or of a Gradescope export."""
    entry = entry if isinstance(entry, Entry) else Entry.of(entry)
    path = entry.path
    if path.is_symlink():
        raise SubmissionError(f"{path.name} is a symbolic link")
    if entry.member:
        candidates = read_zip(path, entry.member)
    elif path.is_dir():
        candidates = read_folder(path)
    elif not path.exists():
        raise SubmissionError("no files were uploaded")
    elif path.suffix.lower() == ".zip":
        candidates = read_zip(path)
    elif path.suffix.lower() == ".py":
        if len(assignment.files) != 1:
            raise SubmissionError(f"this assignment needs {', '.join(assignment.files)}: submit a folder or a zip")
        size = path.stat().st_size
        candidates = {assignment.files[0]: path.read_bytes() if size <= MAX_FILE_BYTES else TooLarge(size)}
    elif path.suffix.lower() == ".ipynb":
        raise SubmissionError(f"{path.name} is a notebook: submit {', '.join(assignment.files)}")
    else:
        raise SubmissionError(f"{path.name}: not a .py file, a folder or a .zip")
    for skipped in entry.skip:
        candidates.pop(skipped, None)
    submission = choose_files(assignment, candidates, renames)
    submission.name = entry.name
    return submission


NOT_SUBMISSIONS = (".yml", ".yaml", ".csv")  # metadata, rosters, gradebooks beside the submissions


def list_entries(directory: Path) -> list[Entry]:
    """The gradeable entries of a submissions folder, in a stable order."""
    if not directory.is_dir():
        raise SubmissionError(f"{directory} is not a folder (nor a Gradescope export: no submission_metadata.yml in it)")
    return [
        Entry.of(p)
        for p in sorted(directory.iterdir())
        if not p.name.startswith((".", "_")) and not (p.is_file() and p.suffix.lower() in NOT_SUBMISSIONS)
    ]
