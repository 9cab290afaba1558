"""Command line: ``python -m autograder {grade,gradebook,report,release,starter,gradescope} ...`` (the Makefile calls these)."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ROOT, Assignment, ConfigError, all_assignments, find_assignment

if TYPE_CHECKING:
    from .batch import Run


def example_submissions(assignment: Assignment) -> Path:
    """The bundled examples as a submissions folder: the solution, the starter and examples/*."""
    from .mutants import solution_files, starter_files, write_submission

    target = ROOT / "dist" / "examples" / assignment.name
    shutil.rmtree(target, ignore_errors=True)
    write_submission(solution_files(assignment), target / "solution")
    write_submission(starter_files(assignment), target / "starter")
    for example in sorted((assignment.directory / "examples").glob("*")):
        if example.is_dir():
            shutil.copytree(example, target / example.name)
        elif not example.name.startswith("."):
            shutil.copy2(example, target / example.name)
    return target


def cmd_grade(args: argparse.Namespace) -> int:
    from .batch import grade_directory, parse_renames
    from .gradebook import read_roster

    assignment = find_assignment(args.assignment)
    directory = Path(args.submissions) if args.submissions else example_submissions(assignment)
    out = Path(args.out) if args.out else ROOT / "dist" / "grades" / assignment.name
    renames = parse_renames(args.rename, assignment)
    try:
        roster = read_roster(Path(args.roster)) if args.roster else None
    except (OSError, ValueError) as exc:
        print(f"error: --roster: {exc}", file=sys.stderr)
        return 1

    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        run = grade_directory(assignment, directory, out, jobs=args.jobs, progress=not args.quiet, only=args.only, renames=renames, roster=roster)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the submissions graded so far are in {out / 'grades.csv'}; rerun to resume", file=sys.stderr)
        return 130
    print_run(run, out)
    if args.only:
        for entry in run.entries:
            print(f"\n{'=' * 20} feedback: {out / entry.name / 'feedback.md'}\n")
            print((out / entry.name / "feedback.md").read_text(encoding="utf-8"))
    return 0


def print_run(run: "Run", out: Path) -> None:
    """This run's scores, what the gradebook became, and the comparison with Gradescope."""
    people = {}
    for row in run.gradebook:
        if row.get("name") or row.get("email"):
            people.setdefault(row["submission"], []).append(row.get("name") or row.get("email"))
    width = max([len(r["submission"]) for r in run.rows] + [10])
    for r in run.rows:
        who = f"  [{', '.join(people[r['submission']])}]" if r["submission"] in people else ""
        note = f"  ({r['status']}: {r['note']})" if r["note"] else ""
        print(f"{r['submission']:<{width}} {r['score']:>7g} / {r['max_score']:g}{who}{note}")
    print(f"\n{len(run.rows)} submission(s) graded; gradebook {out / 'grades.csv'}: {run.summary}")
    for row in run.summary.off_roster:
        print(f"  not on the roster: {row.get('name') or '?'} ({row.get('email') or '-'}, SID {row.get('sid') or '-'}) in {row['submission']}")
    if run.export is not None:
        if not run.compared:
            print("Gradescope: the export holds no Gradescope score to compare with")
        else:
            print(f"Gradescope: {run.compared} submission(s) compared, {len(run.mismatches)} differ by more than 0.01 points")
            for mismatch in run.mismatches:
                print(f"  {mismatch}")


def cmd_gradebook(args: argparse.Namespace) -> int:
    from .gradebook import lms_csv, read_gradebook

    out = Path(args.out)
    if not out.is_dir():
        out = ROOT / "dist" / "grades" / find_assignment(args.out).name
    rows = read_gradebook(out / "grades.csv")
    if not rows:
        print(f"error: {out / 'grades.csv'} holds no gradebook (run `python -m autograder grade` first)", file=sys.stderr)
        return 1
    column = args.column or _assignment_title(out)
    text, students, warnings = lms_csv(rows, args.format, column, float(rows[0]["max_score"]))
    target = Path(args.output) if args.output else out / f"lms_{args.format}.csv"
    target.write_text(text, encoding="utf-8")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{target}: {students} student(s), format {args.format}" + (f", column {column!r}" if args.format == "canvas" else ""))
    return 0


def _assignment_title(out: Path) -> str:
    """The LMS column of a graded folder: its assignment's short name and title."""
    import json

    for report in sorted(out.glob("*/report.json"))[:1]:
        try:
            a = find_assignment(json.loads(report.read_text())["report"]["assignment"])
            return f"{a.short_name} {a.title}"
        except (OSError, ValueError, KeyError, ConfigError):
            pass
    return out.name


def cmd_report(args: argparse.Namespace) -> int:
    from .misconceptions import misconception_report

    assignment = find_assignment(args.assignment)
    out = Path(args.out) if args.out else ROOT / "dist" / "grades" / assignment.name
    try:
        table, png = misconception_report(assignment, out, names=args.names)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(table)
    print(f"\nchart: {png}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from .release import build_release

    for path in build_release(args.assignments or None):
        print(f"built {path.relative_to(ROOT)} ({path.stat().st_size / 1024:.0f} KiB)")
    return 0


def cmd_starter(args: argparse.Namespace) -> int:
    from .release import check_starter, write_starters

    assignments = all_assignments()
    if args.check:
        for a in assignments:
            check_starter(a)
        print("starters are up to date")
    else:
        write_starters(assignments)
        print("starters regenerated from solutions/")
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    from .gradescope import main as simulate_main

    return simulate_main(args.rest)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="ConvLab grading engine")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a folder of submissions into a gradebook")
    g.add_argument("assignment", help="hw1 or hw1_convolution")
    g.add_argument("submissions", nargs="?", help="a Gradescope export (its zip or folder), or a folder of NAME.py / NAME/ / NAME.zip (default: the bundled examples)")
    g.add_argument("--out", help="output folder (default: dist/grades/<assignment>); an existing gradebook there is merged into, never lost")
    g.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.add_argument("--only", metavar="WHO", help="regrade one student: SID, email or submission name; prints their feedback")
    g.add_argument("--rename", action="append", default=[], metavar="[WHO:]NAME=FILE", help="grade the uploaded FILE as NAME (e.g. convolution.py=hw1.py), for everyone or for WHO; repeatable or comma-separated")
    g.add_argument("--roster", metavar="CSV", help="roster (Gradescope's or an LMS export): students without a submission become 'missing' rows; kept in the output folder")
    g.set_defaults(func=cmd_grade)
    gb = sub.add_parser("gradebook", help="write the gradebook of a graded folder as an LMS upload CSV")
    gb.add_argument("out", help="graded folder (or an assignment: its default folder)")
    gb.add_argument("--format", choices=["canvas", "csv"], default="canvas", help="canvas: Canvas's gradebook import; csv: sid,email,name,score,max_score")
    gb.add_argument("--output", help="file to write (default: OUT/lms_<format>.csv)")
    gb.add_argument("--column", help="the LMS assignment column (default: '<hwN> <title>')")
    gb.set_defaults(func=cmd_gradebook)
    rep = sub.add_parser("report", help="class report of a graded folder: counts, per-question pass rates, misconceptions, failures; bar chart")
    rep.add_argument("assignment", help="hw1 or hw1_convolution")
    rep.add_argument("out", nargs="?", help="graded folder (default: dist/grades/<assignment>)")
    rep.add_argument("--names", action="store_true", help="list the students concerned by each misconception and failure (office hours)")
    rep.set_defaults(func=cmd_report)
    r = sub.add_parser("release", help="build student bundles and autograder zips into dist/")
    r.add_argument("assignments", nargs="*", help="only these (default: all)")
    r.set_defaults(func=cmd_release)
    gs = sub.add_parser("gradescope", help="run an upload through an autograder zip as Gradescope does", add_help=False)
    gs.add_argument("rest", nargs=argparse.REMAINDER)
    gs.set_defaults(func=cmd_gradescope)
    s = sub.add_parser("starter", help="regenerate starter/ from solutions/ (or --check it)")
    s.add_argument("--check", action="store_true")
    s.set_defaults(func=cmd_starter)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from .release import ReleaseError
        from .submission import SubmissionError

        if isinstance(exc, (ReleaseError, SubmissionError)):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise
