"""Grade a folder of submissions, or a Gradescope export, into a gradebook, in parallel, losing nothing.

Each submission is graded by a pool process (which holds torch and the cached references) that
starts one sandboxed worker for it. Per submission the output folder gets ``results.json``
(Gradescope format), ``feedback.md`` and ``report.json``, each written atomically; the
gradebook ``grades.csv`` (``gradebook.py``) is rewritten atomically after every submission,
merged into what the folder already held, so an interrupted batch leaves a valid partial
gradebook, a regrade of one student keeps everyone else's row, and a rerun skips the
submissions already graded (same assignment, same bytes, same choice of files).
"""

from __future__ import annotations

import functools
import hashlib
import json
import signal
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from . import gradebook
from .config import Assignment, find_assignment
from .export import Export, Submitter, is_export, open_export, select
from .grade import grade_files
from .gradebook import Mismatch, Summary, atomic_write, submission_row
from .report import Report, to_feedback_md, to_results_json, upload_summary
from .submission import Entry, SubmissionError, list_entries, load_submission


def _digest(assignment: Assignment, files: dict[str, bytes], origins: dict[str, str] | None = None) -> str:
    """Identifies a grading: the submission's bytes, the uploaded files they came from, and the
    assignment's config and tests."""
    h = hashlib.sha256()
    for path in sorted([assignment.directory / "assignment.toml", *assignment.directory.glob("tests/*.py")]):
        h.update(path.read_bytes() + b"\0")
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    for name, origin in sorted((origins or {}).items()):
        h.update(f"{name}<-{origin}\0".encode())
    return h.hexdigest()


def _init_pool() -> None:
    import torch

    torch.set_num_threads(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


Rename = tuple[str, str, str]  # (who: "" for everyone, or a SID, email or entry name; expected name; uploaded file)


def parse_renames(texts: list[str], assignment: Assignment) -> list[Rename]:
    """``[WHO:]NAME=FILE`` items (several per text, comma-separated): grade the uploaded FILE
    as the expected NAME, for everyone or for one student (SID, email or submission name)."""
    renames = []
    for item in (part.strip() for text in texts for part in text.split(",")):
        if not item:
            continue
        head, eq, target = item.partition("=")
        who, _, expected = head.rpartition(":")
        if not eq or not target.strip() or expected.strip() not in assignment.files:
            raise SubmissionError(f"--rename {item!r}: expected [WHO:]NAME=FILE with NAME one of {', '.join(assignment.files)}")
        renames.append((who.strip(), expected.strip(), target.strip()))
    return renames


def renames_for(entry: Entry, renames: list[Rename], export: Export | None) -> dict[str, str]:
    """The renames that apply to one entry: everyone's, then its student's."""
    chosen = {}
    for who, expected, target in sorted(renames, key=lambda r: bool(r[0])):
        if not who or who in (entry.name, entry.path.name) or (export and entry in select(export, who)):
            chosen[expected] = target
    return chosen


@functools.cache
def _assignment(name: str) -> Assignment:
    return find_assignment(name)  # once per pool process, not once per submission


def grade_entry(assignment_name: str, entry: Entry, out_dir: str, renames: dict[str, str] | None = None, force: bool = False) -> dict:
    """Grade one entry and write its outputs; returns its gradebook row (``resumed``: whether
    an earlier grading of the same files was reused; ``force``: never reuse). Runs in a pool process."""
    assignment = _assignment(assignment_name)
    target = Path(out_dir) / entry.name
    target.mkdir(parents=True, exist_ok=True)
    try:
        submission = load_submission(assignment, entry, renames)
        digest = _digest(assignment, submission.files, submission.origins)
        previous = target / "report.json"
        if previous.is_file() and not force:
            data = json.loads(previous.read_text())
            if data.get("digest") == digest:
                return submission_row(assignment, Report.from_dict(data["report"]), data.get("status", "")) | {"resumed": True}
        report = grade_files(assignment, submission.files, submission.name)
        report.notes = submission.notes + report.notes
        report.upload = upload_summary(submission.manifest())  # as the zip's results say it
        status = "graded" if not report.error else "import error"
    except SubmissionError as exc:
        digest = ""
        report = Report(assignment=assignment.name, submission=entry.name, max_score=assignment.max_score)
        report.error = str(exc)
        report.finish(assignment, 0.0)
        status = "rejected"
    atomic_write(target / "results.json", json.dumps(to_results_json(report), indent=2))
    atomic_write(target / "feedback.md", to_feedback_md(report))
    atomic_write(target / "report.json", json.dumps({"digest": digest, "status": status, "report": report.to_dict()}))
    return submission_row(assignment, report, status)


def _crash_row(assignment: Assignment, entry: Entry, reason: str) -> dict:
    row = {"submission": entry.name, "score": 0.0, "max_score": assignment.max_score}
    row.update({q.id: 0.0 for q in assignment.questions})
    row.update(status="grader error", diagnoses="", note=reason[:200], seconds=0.0)
    return row


@dataclass
class Run:
    """What one ``grade`` run did: its rows (in entry order), the merged gradebook and the
    comparison with Gradescope's scores (an export only)."""

    entries: list[Entry]
    rows: list[dict]
    gradebook: list[dict]
    summary: Summary
    export: Export | None = None
    compared: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)


def find_entries(source: Path, only: str | None = None, roster: list[Submitter] | None = None) -> tuple[list[Entry], Export | None]:
    """The entries to grade: a Gradescope export's submission folders (a zip or its folder),
    or a plain folder's entries; ``only``: just the one of this SID, email or entry name."""
    export = open_export(source) if is_export(source) else None
    if export is None and source.is_file() and source.suffix.lower() == ".zip":
        raise SubmissionError(f"{source} is a zip but not a Gradescope export (no submission_metadata.yml in it): unzip it and grade the folder")
    entries = export.entries if export else list_entries(source)
    if only:
        if export:
            entries = select(export, only)
        else:
            ids = {x for p in roster or [] if p.matches(only) for x in (p.sid, p.email) if x} | {only.strip()}
            entries = [e for e in entries if e.name in ids or e.path.name in ids]
        if not entries:
            raise SubmissionError(f"no submission of {only!r} in {source}")
    return entries, export


def grade_directory(
    assignment: Assignment,
    directory: Path,
    out: Path,
    jobs: int = 2,
    progress: bool = True,
    only: str | None = None,
    renames: list[Rename] | None = None,
    roster: list[Submitter] | None = None,
) -> Run:
    """Grade every entry of ``directory`` (a submissions folder or a Gradescope export) into
    ``out``, merged into the gradebook already there; ``only``: one student's submission,
    regraded even if its files were graded before (a regrade request)."""
    out.mkdir(parents=True, exist_ok=True)
    if roster is not None:
        gradebook.save_roster(roster, out / gradebook.ROSTER_FILE)
    elif (out / gradebook.ROSTER_FILE).is_file():
        roster = gradebook.read_roster(out / gradebook.ROSTER_FILE)
    entries, export = find_entries(directory, only, roster)
    for who, expected, target in renames or []:
        if who and not any(renames_for(e, [(who, expected, target)], export) for e in entries):
            raise SubmissionError(f"--rename {who}:{expected}={target}: no submission of {who!r} is being graded")
    previous = gradebook.read_gradebook(out / "grades.csv")
    recovered = gradebook.recover(assignment, out, {r.get("submission", "") for r in previous})
    bar = tqdm(total=len(entries), desc=f"grading {assignment.name}", unit="sub", disable=not progress)
    batch = _Batch(assignment, out, export, roster, renames or [], bool(only), bar, previous, recovered)
    try:
        broken = batch.grade(entries, max(1, jobs))
        batch.grade_alone(broken, max(1, jobs))
    finally:
        bar.close()
    merged, summary = batch.save()
    compared, mismatches = gradebook.reconcile(assignment, merged, export, graded=set(batch.rows))
    return Run(entries, [batch.rows[e.name] for e in entries], merged, summary, export, compared, mismatches)


@dataclass
class _Batch:
    """A grade run in progress: sends entries to pool processes, records their rows and keeps
    the merged gradebook saved after every submission."""

    assignment: Assignment
    out: Path
    export: Export | None
    roster: list[Submitter] | None
    renames: list[Rename]
    force: bool
    bar: tqdm
    previous: list[dict]
    recovered: dict
    rows: dict[str, dict] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)

    def save(self) -> tuple[list[dict], Summary]:
        for name, row in self.rows.items():
            if row.pop("resumed", False):
                self.unchanged.add(name)
        merged, summary = gradebook.merge(self.assignment, self.rows, self.out, self.export, self.roster, self.unchanged, self.previous, self.recovered)
        gradebook.write_gradebook(self.assignment, merged, self.out / "grades.csv")
        return merged, summary

    def submit(self, pool: ProcessPoolExecutor, entry: Entry) -> Future:
        """The one way an entry is sent to a pool (first tries and retries alike)."""
        renames = renames_for(entry, self.renames, self.export)
        return pool.submit(grade_entry, self.assignment.name, entry, str(self.out), renames, self.force)

    def record(self, entry: Entry, future: Future, broken: list[Entry] | None) -> None:
        """The entry's row; a dead pool process puts it in ``broken`` (to grade again alone),
        or, when it was graded alone, charges it."""
        try:
            self.rows[entry.name] = future.result()
        except BrokenProcessPool:
            if broken is not None:
                broken.append(entry)  # a pool process died: which submission killed it is unknown
                return
            self.rows[entry.name] = _crash_row(self.assignment, entry, "the grader process crashed on this submission, also when graded alone")
        except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
            self.rows[entry.name] = _crash_row(self.assignment, entry, f"{type(exc).__name__}: {exc}")
        self.bar.update(1)
        self.save()

    def grade(self, entries: list[Entry], jobs: int) -> list[Entry]:
        """Grade ``entries`` in one pool of ``jobs`` processes; returns those a dead process took down."""
        broken: list[Entry] = []
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_pool)
        try:
            futures = {self.submit(pool, e): e for e in entries}
            for future in as_completed(futures):
                self.record(futures[future], future, broken)
        except KeyboardInterrupt:
            _stop(pool)  # Ctrl-C / SIGTERM: what is graded is already on disk, a rerun resumes
            raise
        pool.shutdown(wait=True)
        return broken

    def grade_alone(self, entries: list[Entry], jobs: int) -> None:
        """The submissions of a broken pool, again, each in a pool of its own (``jobs`` at a
        time): only a submission that breaks its own pool is charged, never its batch-mates."""
        for start in range(0, len(entries), jobs):
            pools = {e: ProcessPoolExecutor(max_workers=1, initializer=_init_pool) for e in entries[start : start + jobs]}
            try:
                futures = {self.submit(pool, e): e for e, pool in pools.items()}
                for future in as_completed(futures):
                    self.record(futures[future], future, None)
            finally:
                for pool in pools.values():
                    _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
