"""Turn one entry of a submissions folder into the files to grade, or a clear error.

An entry is ``NAME.py`` (the single file of a one-file assignment), a folder ``NAME/`` or a
``NAME.zip``. Zips are read in memory, never extracted: members with absolute paths, ``..``
or symlinks are ignored, and sizes are bounded (zip bombs). Only the files the assignment
expects are taken; a file under the wrong name is accepted when it is the single obvious
candidate (``Convolution.py``, ``convolution (1).py``), with a note.
"""

from __future__ import annotations

import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .config import Assignment

MAX_FILE_BYTES = 2 << 20
MAX_ZIP_MEMBERS = 200
MAX_ZIP_TOTAL_BYTES = 20 << 20


class SubmissionError(ValueError):
    """The entry cannot be graded; the message says why, for the student and the gradebook."""


@dataclass
class Submission:
    name: str
    files: dict[str, bytes]
    notes: list[str] = field(default_factory=list)


def submission_name(entry: Path) -> str:
    return entry.stem if entry.is_file() else entry.name


def _canonical(name: str) -> str:
    """``Convolution (1).py`` -> ``convolution.py``: what a renamed download usually looks like."""
    stem, dot, ext = PurePosixPath(name).name.rpartition(".")
    stem = re.sub(r"\s*[\(\[]\d+[\)\]]$|[-_ ]?copy$", "", stem.strip(), flags=re.IGNORECASE)
    return f"{stem.lower()}{dot}{ext.lower()}"


def _match(assignment: Assignment, candidates: dict[str, bytes]) -> Submission:
    files, notes = {}, []
    for expected in assignment.files:
        if expected in candidates:
            files[expected] = candidates[expected]
            continue
        near = [n for n in candidates if _canonical(n) == expected]
        if len(near) == 1:
            files[expected] = candidates[near[0]]
            notes.append(f"graded {near[0]!r} as {expected!r} (the file should be named {expected})")
        elif len(near) > 1:
            raise SubmissionError(f"several files could be {expected}: {', '.join(sorted(near))}; submit exactly one")
    if not files:
        found = ", ".join(sorted(candidates)) or "no files"
        raise SubmissionError(f"no {' or '.join(assignment.files)} found (found: {found})")
    for name, data in files.items():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise SubmissionError(f"{name} is not a UTF-8 text file (was a notebook or binary submitted?)") from None
        if not data.strip():
            raise SubmissionError(f"{name} is empty")
    missing = [f for f in assignment.files if f not in files]
    if missing:
        notes.append(f"missing file(s): {', '.join(missing)} (their questions get 0)")
    return Submission("", files, notes)


def _read_zip(path: Path) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise SubmissionError(f"{path.name} has {len(infos)} members (at most {MAX_ZIP_MEMBERS})")
            out, total = {}, 0
            for info in infos:
                pure = PurePosixPath(info.filename.replace("\\", "/"))
                is_link = stat.S_ISLNK(info.external_attr >> 16)
                if info.is_dir() or is_link or pure.is_absolute() or ".." in pure.parts or pure.name.startswith("."):
                    continue
                if "__MACOSX" in pure.parts:
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    continue
                total += info.file_size
                if total > MAX_ZIP_TOTAL_BYTES:
                    raise SubmissionError(f"{path.name} expands to more than {MAX_ZIP_TOTAL_BYTES >> 20} MB")
                data = zf.read(info)
                if len(data) > MAX_FILE_BYTES:  # a lying header: the real size is what counts
                    continue
                out.setdefault(pure.name, data)
            return out
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SubmissionError(f"{path.name} is not a valid zip file ({exc})") from None


def _read_folder(path: Path, depth: int = 0) -> dict[str, bytes]:
    """Files of a folder and (up to two levels of) its subfolders; the top level wins a name clash."""
    out, subfolders = {}, []
    for child in sorted(path.iterdir()):
        if child.is_symlink() or child.name.startswith((".", "__")):
            continue
        if child.is_dir():
            subfolders.append(child)
        elif child.is_file() and child.stat().st_size <= MAX_FILE_BYTES:
            out[child.name] = child.read_bytes()
    if depth < 2:
        for folder in subfolders:
            for name, data in _read_folder(folder, depth + 1).items():
                out.setdefault(name, data)
    return out


def load_submission(assignment: Assignment, entry: Path) -> Submission:
    """Read one entry of a submissions folder."""
    name = submission_name(entry)
    if entry.is_symlink():
        raise SubmissionError(f"{entry.name} is a symbolic link")
    if entry.is_dir():
        candidates = _read_folder(entry)
    elif entry.suffix.lower() == ".zip":
        candidates = _read_zip(entry)
    elif entry.suffix.lower() == ".py":
        if len(assignment.files) != 1:
            raise SubmissionError(f"this assignment needs {', '.join(assignment.files)}: submit a folder or a zip")
        if entry.stat().st_size > MAX_FILE_BYTES:
            raise SubmissionError(f"{entry.name} is larger than {MAX_FILE_BYTES >> 20} MB")
        candidates = {assignment.files[0]: entry.read_bytes()}
    elif entry.suffix.lower() == ".ipynb":
        raise SubmissionError(f"{entry.name} is a notebook: submit {', '.join(assignment.files)}")
    else:
        raise SubmissionError(f"{entry.name}: not a .py file, a folder or a .zip")
    submission = _match(assignment, candidates)
    submission.name = name
    return submission


def list_entries(directory: Path) -> list[Path]:
    """The gradeable entries of a submissions folder, in a stable order."""
    if not directory.is_dir():
        raise SubmissionError(f"{directory} is not a folder")
    return sorted(p for p in directory.iterdir() if not p.name.startswith((".", "_")))
