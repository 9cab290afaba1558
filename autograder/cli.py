"""Command line: ``python -m autograder {grade,report,release,starter} ...`` (the Makefile calls these)."""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
from pathlib import Path

from .config import ROOT, Assignment, ConfigError, all_assignments, find_assignment


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
    from .batch import grade_directory

    assignment = find_assignment(args.assignment)
    directory = Path(args.submissions) if args.submissions else example_submissions(assignment)
    out = Path(args.out) if args.out else ROOT / "dist" / "grades" / assignment.name
    def interrupted(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        rows = grade_directory(assignment, directory, out, jobs=args.jobs, progress=not args.quiet)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the submissions graded so far are in {out / 'grades.csv'}; rerun to resume", file=sys.stderr)
        return 130
    width = max([len(r["submission"]) for r in rows] + [10])
    for r in rows:
        note = f"  ({r['status']}: {r['note']})" if r["note"] else ""
        print(f"{r['submission']:<{width}} {r['score']:>7g} / {r['max_score']:g}{note}")
    print(f"\n{len(rows)} submission(s) graded: {out / 'grades.csv'}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from .misconceptions import misconception_report

    assignment = find_assignment(args.assignment)
    out = Path(args.out) if args.out else ROOT / "dist" / "grades" / assignment.name
    try:
        table, png = misconception_report(assignment, out)
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
    g.add_argument("submissions", nargs="?", help="folder of NAME.py / NAME/ / NAME.zip (default: the bundled examples)")
    g.add_argument("--out", help="output folder (default: dist/grades/<assignment>)")
    g.add_argument("--jobs", type=int, default=2, help="submissions graded in parallel")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    g.set_defaults(func=cmd_grade)
    rep = sub.add_parser("report", help="misconceptions diagnosed in a graded folder: table + bar chart")
    rep.add_argument("assignment", help="hw1 or hw1_convolution")
    rep.add_argument("out", nargs="?", help="graded folder (default: dist/grades/<assignment>)")
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
