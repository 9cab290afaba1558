"""Grade a folder of submissions into a gradebook, in parallel, losing nothing.

Each submission is graded by a pool process (which holds torch and the cached references) that
starts one sandboxed worker for it. Per submission the output folder gets ``results.json``
(Gradescope format), ``feedback.md`` and ``report.json``, each written atomically; the
gradebook ``grades.csv`` is rewritten atomically after every submission, so an interrupted
batch leaves a valid partial gradebook and a rerun skips the submissions already graded
(same assignment, same bytes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tqdm import tqdm

from .config import Assignment, find_assignment
from .grade import grade_files
from .report import Report, to_feedback_md, to_results_json
from .submission import SubmissionError, list_entries, load_submission, submission_name

SUMMARY_COLUMNS = ["submission", "score", "max_score"]


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _digest(assignment: Assignment, files: dict[str, bytes]) -> str:
    """Identifies a grading: the submission's bytes and the assignment's config and tests."""
    h = hashlib.sha256()
    for path in sorted([assignment.directory / "assignment.toml", *assignment.directory.glob("tests/*.py")]):
        h.update(path.read_bytes() + b"\0")
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()


def _init_pool() -> None:
    import torch

    torch.set_num_threads(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def grade_entry(assignment_name: str, entry: str, out_dir: str) -> dict:
    """Grade one entry and write its outputs; returns its gradebook row. Runs in a pool process."""
    assignment = find_assignment(assignment_name)
    path = Path(entry)
    target = Path(out_dir) / submission_name(path)
    target.mkdir(parents=True, exist_ok=True)
    try:
        submission = load_submission(assignment, path)
        digest = _digest(assignment, submission.files)
        previous = target / "report.json"
        if previous.is_file():
            data = json.loads(previous.read_text())
            if data.get("digest") == digest:
                return _row(assignment, Report.from_dict(data["report"]), data.get("status", ""))
        report = grade_files(assignment, submission.files, submission.name)
        report.notes = submission.notes + report.notes
        status = "graded" if not report.error else "import error"
    except SubmissionError as exc:
        digest = ""
        report = Report(assignment=assignment.name, submission=submission_name(path), max_score=assignment.max_score)
        report.error = str(exc)
        report.finish(assignment, 0.0)
        status = "rejected"
    _atomic_write(target / "results.json", json.dumps(to_results_json(report), indent=2))
    _atomic_write(target / "feedback.md", to_feedback_md(report))
    _atomic_write(target / "report.json", json.dumps({"digest": digest, "status": status, "report": report.to_dict()}))
    return _row(assignment, report, status)


def _row(assignment: Assignment, report: Report, status: str) -> dict:
    row = {"submission": report.submission, "score": report.score, "max_score": report.max_score}
    for q in assignment.questions:
        row[q.id] = report.questions.get(q.id, {}).get("score", 0.0)
    row["status"] = status
    row["diagnoses"] = "; ".join(report.diagnoses)
    row["note"] = (report.error or "; ".join(report.notes[:2]) or "").splitlines()[0][:200] if (report.error or report.notes) else ""
    row["seconds"] = report.seconds
    return row


def _crash_row(assignment: Assignment, entry: Path, reason: str) -> dict:
    row = {"submission": submission_name(entry), "score": 0.0, "max_score": assignment.max_score}
    row.update({q.id: 0.0 for q in assignment.questions})
    row.update(status="grader error", diagnoses="", note=reason[:200], seconds=0.0)
    return row


def write_gradebook(assignment: Assignment, rows: list[dict], path: Path) -> None:
    columns = SUMMARY_COLUMNS + [q.id for q in assignment.questions] + ["status", "diagnoses", "note", "seconds"]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: r["submission"]):
        writer.writerow(row)
    _atomic_write(path, buf.getvalue())


def grade_directory(assignment: Assignment, directory: Path, out: Path, jobs: int = 2, progress: bool = True) -> list[dict]:
    """Grade every entry of ``directory`` into ``out``; returns the gradebook rows."""
    entries = list_entries(directory)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, dict] = {}
    bar = tqdm(total=len(entries), desc=f"grading {assignment.name}", unit="sub", disable=not progress)
    broken: list[Path] = []
    pool = ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_init_pool)
    try:
        futures = {pool.submit(grade_entry, assignment.name, str(e), str(out)): e for e in entries}
        for future in as_completed(futures):
            entry = futures[future]
            try:
                rows[entry.name] = future.result()
            except BrokenProcessPool:
                broken.append(entry)  # a pool process died: which submission killed it is unknown
                continue
            except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
                rows[entry.name] = _crash_row(assignment, entry, f"{type(exc).__name__}: {exc}")
            bar.update(1)
            write_gradebook(assignment, list(rows.values()), out / "grades.csv")
    except KeyboardInterrupt:
        # Ctrl-C / SIGTERM: stop now; what is graded is already on disk, a rerun resumes
        _stop(pool)
        bar.close()
        raise
    pool.shutdown(wait=True)
    _grade_alone(assignment, broken, out, jobs, rows, bar)
    bar.close()
    write_gradebook(assignment, list(rows.values()), out / "grades.csv")
    return [rows[e.name] for e in entries]


def _grade_alone(assignment: Assignment, entries: list[Path], out: Path, jobs: int, rows: dict[str, dict], bar: tqdm) -> None:
    """The submissions of a broken pool, again, each in a pool of its own (``jobs`` at a time):
    only a submission that breaks its own pool is charged, never its batch-mates."""
    for start in range(0, len(entries), max(1, jobs)):
        pools = {e: ProcessPoolExecutor(max_workers=1, initializer=_init_pool) for e in entries[start : start + max(1, jobs)]}
        try:
            futures = {pool.submit(grade_entry, assignment.name, str(e), str(out)): e for e, pool in pools.items()}
            for future in as_completed(futures):
                entry = futures[future]
                try:
                    rows[entry.name] = future.result()
                except BrokenProcessPool:
                    rows[entry.name] = _crash_row(assignment, entry, "the grader process crashed on this submission, also when graded alone")
                except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
                    rows[entry.name] = _crash_row(assignment, entry, f"{type(exc).__name__}: {exc}")
                bar.update(1)
                write_gradebook(assignment, list(rows.values()), out / "grades.csv")
        finally:
            for pool in pools.values():
                _stop(pool)


def _stop(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.kill()
