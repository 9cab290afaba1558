"""A Gradescope "Export Submissions" download: who submitted what, and what Gradescope gave it.

The export is a zip (or its unzipped folder) holding, at its top or in its one top folder
(``assignment_123_export/``), a ``submission_metadata.yml`` and one folder per submission,
``submission_<id>/``, with what the student uploaded (and sometimes the autograder's
``results.json``). The metadata maps each folder name to Ruby-symbol keys::

    submission_216975964:
      :submitters:
      - :name: Alice Sun
        :sid: '06758767'
        :email: alice@example.edu
      :created_at: 2023-12-02 02:52:07.938335000 Z
      :score: 80.0
      :status: processed
      :results: {score: 80.0, tests: [...], output: ...}   # Gradescope's results.json
      :history: [...]                                       # earlier submissions, not exported

It is read with PyYAML's ``safe_load`` (no Ruby objects are built) and the colons are stripped.
Every ``submission_*`` folder becomes an ``Entry`` graded by the same upload rules as the
autograder zip's ``prepare``; the ``results.json`` Gradescope left in a folder is never read as
student code.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .submission import Entry, SubmissionError

METADATA = "submission_metadata.yml"
GRADESCOPE_RESULTS = "results.json"


@dataclass(frozen=True)
class Submitter:
    name: str = ""
    email: str = ""
    sid: str = ""

    def matches(self, who: str) -> bool:
        """``who`` is this student's SID or email (case-insensitive)."""
        who = who.strip().lower()
        return bool(who) and who in (self.sid.strip().lower(), self.email.strip().lower())


@dataclass
class ExportedSubmission:
    """One submission of the export: its folder name, its submitters, what Gradescope gave it."""

    id: str
    submitters: list[Submitter] = field(default_factory=list)
    submitted_at: str = ""
    score: float | None = None
    status: str = ""
    results: dict | None = None  # Gradescope's results.json, from the metadata or the folder


@dataclass
class Export:
    source: Path
    submissions: dict[str, ExportedSubmission]
    entries: list[Entry]


def _plain(value: Any) -> Any:
    """Ruby-symbol keys (``:name``) as plain strings, recursively; dates as ISO text."""
    if isinstance(value, dict):
        return {str(k).lstrip(":"): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_metadata(text: str) -> dict[str, ExportedSubmission]:
    """``submission_metadata.yml`` -> folder name -> what it says about that submission."""
    try:
        raw = _plain(yaml.safe_load(text) or {})
    except yaml.YAMLError as exc:
        raise SubmissionError(f"{METADATA} is not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise SubmissionError(f"{METADATA} does not map submission folders to their metadata")
    out = {}
    for folder, meta in raw.items():
        meta = meta if isinstance(meta, dict) else {}
        people = [p for p in meta.get("submitters") or [] if isinstance(p, dict)]
        score = meta.get("score")
        results = meta.get("results")
        out[str(folder)] = ExportedSubmission(
            id=str(folder),
            submitters=[Submitter(_text(p.get("name")), _text(p.get("email")), _text(p.get("sid"))) for p in people],
            submitted_at=_text(meta.get("created_at")),
            score=float(score) if isinstance(score, (int, float)) else None,
            status=_text(meta.get("status")),
            results=results if isinstance(results, dict) else None,
        )
    return out


def _top(names: list[str]) -> str | None:
    """The folder holding the metadata among relative paths: "" (the top) or the one top folder
    everything is in (``assignment_123_export/``); None if neither."""
    names = [n for n in names if not n.startswith("__MACOSX/")]
    if METADATA in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and f"{next(iter(tops))}/{METADATA}" in names:
        return f"{next(iter(tops))}/"
    return None


def _top_folder(path: Path) -> Path | None:
    if (path / METADATA).is_file():
        return path
    children = [c for c in path.iterdir() if not c.name.startswith((".", "__MACOSX"))]
    if len(children) == 1 and (children[0] / METADATA).is_file():
        return children[0]
    return None


def is_export(path: Path) -> bool:
    """A zip or folder with ``submission_metadata.yml`` at its top or in its one top folder."""
    try:
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                return _top(zf.namelist()) is not None
        return path.is_dir() and _top_folder(path) is not None
    except (OSError, zipfile.BadZipFile):
        return False


def _folder_results(data: bytes) -> dict | None:
    try:
        results = json.loads(data)
    except ValueError:
        return None
    return results if isinstance(results, dict) else None


def open_export(path: Path) -> Export:
    """Read an export's metadata and list its submissions as gradeable entries."""
    if path.is_dir():
        top = _top_folder(path)
        if top is None:
            raise SubmissionError(f"{path} is not a Gradescope export (no {METADATA} in it)")
        submissions = parse_metadata((top / METADATA).read_text(encoding="utf-8"))
        folders = sorted(c.name for c in top.iterdir() if c.is_dir() and c.name.startswith("submission_"))
        entries = [Entry(top / f, f, skip=(GRADESCOPE_RESULTS,)) for f in folders]
        for f in folders:
            results = top / f / GRADESCOPE_RESULTS
            if f in submissions and submissions[f].results is None and results.is_file():
                submissions[f].results = _folder_results(results.read_bytes())
    else:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            prefix = _top(names)
            if prefix is None:
                raise SubmissionError(f"{path.name} is not a Gradescope export (no {METADATA} in it)")
            submissions = parse_metadata(zf.read(prefix + METADATA).decode("utf-8"))
            folders = sorted({n[len(prefix) :].split("/", 1)[0] for n in names if n.startswith(prefix + "submission_") and "/" in n[len(prefix) :]})
            entries = [Entry(path, f, member=f"{prefix}{f}/", skip=(GRADESCOPE_RESULTS,)) for f in folders]
            for f in folders:
                member = f"{prefix}{f}/{GRADESCOPE_RESULTS}"
                if f in submissions and submissions[f].results is None and member in names:
                    submissions[f].results = _folder_results(zf.read(member))
        top = path
    listed = {e.name for e in entries}
    for f in sorted(set(submissions) - listed):  # in the metadata, but no files were exported
        entries.append(Entry(top / f, f) if path.is_dir() else Entry(path, f, member=f"{prefix}{f}/"))
    return Export(path, submissions, sorted(entries, key=lambda e: e.name))


def select(export: Export, who: str) -> list[Entry]:
    """The entries of the student ``who`` (SID or email), or of the submission folder ``who``."""
    wanted = {sid for sid, s in export.submissions.items() if any(p.matches(who) for p in s.submitters)}
    return [e for e in export.entries if e.name in wanted or e.name == who.strip()]
