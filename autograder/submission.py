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
    origins: dict[str, str] = field(default_factory=dict)  # graded name -> the uploaded path it came from
    uploaded: list[str] = field(default_factory=list)  # every uploaded path considered

    def manifest(self) -> dict:
        """What was graded and what ignored, as the results tell the student (``report.upload_summary``)."""
        ignored = sorted(set(self.uploaded) - set(self.origins.values()))
        return {"uploaded": sorted(self.uploaded), "graded": dict(self.origins), "ignored": ignored, "notes": list(self.notes), "error": None}


def submission_name(entry: Path) -> str:
    return entry.stem if entry.is_file() else entry.name


def _canonical(name: str) -> str:
    """``Convolution (1).py`` -> ``convolution.py``: what a renamed download usually looks like."""
    stem, dot, ext = PurePosixPath(name).name.rpartition(".")
    stem = re.sub(r"\s*[\(\[]\d+[\)\]]$|[-_ ]?copy$", "", stem.strip(), flags=re.IGNORECASE)
    return f"{stem.lower()}{dot}{ext.lower()}"


def _shallowest(paths: list[str]) -> list[str]:
    depth = min(len(PurePosixPath(p).parts) for p in paths)
    return sorted(p for p in paths if len(PurePosixPath(p).parts) == depth)


def choose_files(assignment: Assignment, candidates: dict[str, bytes]) -> Submission:
    """Pick the assignment's files among uploaded ``relative path -> bytes``; ignore the rest.

    The exact name wins (the copy nearest the top); otherwise a single near-name
    (``Convolution (1).py``) is accepted with a note.
    """
    files, notes, origins = {}, [], {}
    for expected in assignment.files:
        exact = [p for p in candidates if PurePosixPath(p).name == expected]
        near = [p for p in candidates if _canonical(p) == expected and p not in exact]
        if exact:
            chosen = _shallowest(exact)[0]
        elif near:
            top = _shallowest(near)
            if len({candidates[p] for p in top}) > 1:
                raise SubmissionError(f"several files could be {expected}: {', '.join(top)}; submit exactly one")
            chosen = top[0]
            notes.append(f"graded {chosen!r} as {expected!r} (the file should be named {expected})")
        else:
            continue
        files[expected], origins[expected] = candidates[chosen], chosen
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
    return Submission("", files, notes, origins, sorted(candidates))


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
                out.setdefault(str(pure), data)
            return out
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise SubmissionError(f"{path.name} is not a valid zip file ({exc})") from None


def read_folder(path: Path, depth: int = 2, prefix: str = "") -> dict[str, bytes]:
    """``relative path -> bytes`` of a folder's files, down to ``depth`` levels of subfolders;
    hidden entries (``.ipynb_checkpoints``), ``__pycache__``, symlinks and huge files are skipped."""
    out = {}
    for child in sorted(path.iterdir()):
        if child.is_symlink() or child.name.startswith((".", "__")):
            continue
        if child.is_dir() and depth > 0:
            out.update(read_folder(child, depth - 1, f"{prefix}{child.name}/"))
        elif child.is_file() and child.stat().st_size <= MAX_FILE_BYTES:
            out[prefix + child.name] = child.read_bytes()
    return out


def load_submission(assignment: Assignment, entry: Path) -> Submission:
    """Read one entry of a submissions folder."""
    name = submission_name(entry)
    if entry.is_symlink():
        raise SubmissionError(f"{entry.name} is a symbolic link")
    if entry.is_dir():
        candidates = read_folder(entry)
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
    submission = choose_files(assignment, candidates)
    submission.name = name
    return submission


def list_entries(directory: Path) -> list[Path]:
    """The gradeable entries of a submissions folder, in a stable order."""
    if not directory.is_dir():
        raise SubmissionError(f"{directory} is not a folder")
    return sorted(p for p in directory.iterdir() if not p.name.startswith((".", "_")))
