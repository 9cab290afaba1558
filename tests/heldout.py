"""Realistic bugs that are in no catalog: what the feedback says about them.

    .venv/bin/python tests/heldout.py            # every assignment
    .venv/bin/python tests/heldout.py hw6        # one, with every line

``tests/heldout/<hw>/<name>.py`` holds one bug each, in a mutant's format (docstring: the
intent; definitions appended to the solution; ``# target:``), plus ``# right: <families>``: the
catalog entries whose explanation would be a right line for it (often none). They are never
read to build signatures. Each is graded by the real grader (``grade_files``, sandboxed), and
each catalog line it gets is judged: right (its family is listed), or wrong. The script also
works from an older checkout of the engine (run from there, with this folder as argument 1 of
``--bugs``), which is how the closing note's "before" figures were made.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from autograder.config import all_assignments
from autograder.grade import grade_files
from autograder.mutants import solution_files

HERE = Path(__file__).resolve().parent / "heldout"


def bugs(folder: Path, short: str) -> list[Path]:
    return sorted((folder / short).glob("*.py"))


def grade_bug(assignment, path: Path):
    source = path.read_text()
    target = next((line.split(":", 1)[1].strip() for line in source.splitlines() if line.startswith("# target:")), assignment.files[0])
    right = {n.strip() for line in source.splitlines() if line.startswith("# right:") for n in line.split(":", 1)[1].split(",") if n.strip()}
    files = solution_files(assignment)
    files[target] = files[target] + f"\n\n# ---- held-out bug: {path.stem}\n".encode() + source.encode()
    report = grade_files(assignment, files, path.stem)
    return report, right


def main(argv: list[str]) -> int:
    folder = HERE
    if argv[:1] == ["--bugs"]:
        folder, argv = Path(argv[1]), argv[2:]
    totals = {"bugs": 0, "right": 0, "wrong": 0, "nothing": 0, "caught": 0}
    print("| assignment | bugs | caught | named right | named wrong | no catalog line | failing cases with a line |")
    print("|---|---|---|---|---|---|---|")
    details = []
    for a in all_assignments():
        if argv and a.short_name not in argv:
            continue
        row = {"bugs": 0, "right": 0, "wrong": 0, "nothing": 0, "caught": 0, "failing": 0, "lined": 0}
        for path in bugs(folder, a.short_name):
            report, right = grade_bug(a, path)
            named = {d for d in report.diagnoses if d != "shape mismatch"}
            verdict = "wrong" if named - right else "right" if named else "nothing"
            row["bugs"] += 1
            row[verdict] += 1
            row["caught"] += report.score < a.max_score
            failing = [r for r in report.results if not r.passed and r.device == "cpu" and r.hidden]
            row["failing"] += len(failing)
            row["lined"] += sum(1 for r in failing if re.search(r"Likely cause|What differs|Root cause first|fix that first", r.message))
            details.append(f"  {a.short_name} {path.stem}: {verdict} {sorted(named)} (right: {sorted(right)}), score {report.score:g}")
            if argv:
                for r in failing[:2]:
                    details.append("      " + r.message.replace("\n", "\n      "))
        print(f"| {a.short_name} | {row['bugs']} | {row['caught']} | {row['right']} | {row['wrong']} | {row['nothing']} | {row['lined']} of {row['failing']} |")
        for key in totals:
            totals[key] += row[key]
    print(f"| all | {totals['bugs']} | {totals['caught']} | {totals['right']} | {totals['wrong']} | {totals['nothing']} | |")
    print("\n".join(details))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
