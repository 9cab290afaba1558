"""Self-check for your assignment: runs the public tests on your code and prints the results.

Usage (from the folder you unzipped):

    python check.py          # run the public tests, per question
    python check.py --zip    # also write submission.zip with the files to upload

The public tests are a subset of what the grader runs: passing them all does not guarantee
full marks (the hidden tests compare with PyTorch on many more cases).
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
import types
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def load_student(files: list[str]) -> types.SimpleNamespace:
    """Import your files and gather their public functions into one namespace."""
    namespace = types.SimpleNamespace()
    for name in files:
        module = importlib.import_module(Path(name).stem)
        for attr in dir(module):
            if not attr.startswith("_"):
                setattr(namespace, attr, getattr(module, attr))
    return namespace


def run_public_tests(meta: dict, student: object) -> bool:
    import checklib
    import public_tests

    by_question: dict[str, list[tuple[str, bool, str]]] = {q["id"]: [] for q in meta["questions"]}
    for case in public_tests.suite.cases:
        started = time.perf_counter()
        try:
            case.run(student)
            passed, message = True, ""
        except NotImplementedError:
            passed, message = False, "not implemented yet (raises NotImplementedError)"
        except checklib.CheckFailure as exc:
            passed, message = False, str(exc)
        except Exception:  # noqa: BLE001 - show the student their own traceback
            passed, message = False, traceback.format_exc(limit=-3)
        seconds = time.perf_counter() - started
        by_question[case.question].append((f"{case.title} ({seconds:.2f} s)", passed, message))
    total = passed_total = 0
    for q in meta["questions"]:
        results = by_question[q["id"]]
        ok = sum(p for _, p, _ in results)
        total, passed_total = total + len(results), passed_total + ok
        status = "no public checks" if not results else ("PASS" if ok == len(results) else "FAIL")
        print(f"{q['id']} {q['title']} ({q['points']:g} points): {status} {ok}/{len(results)}")
        for title, passed, message in results:
            print(f"    {'ok  ' if passed else 'FAIL'} {title}")
            if message:
                print("\n".join("         " + line for line in message.strip().splitlines()))
    print(f"\n{passed_total} of {total} public checks passed.")
    print("The grader also runs hidden tests against PyTorch; they are shown when grades are published.")
    return passed_total == total


def write_zip(files: list[str]) -> Path:
    """submission.zip: the file itself, or for several files a stub plus convlab_files/ (the
    layout the otter autograder accepts)."""
    path = HERE / "submission.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        if len(files) == 1:
            zf.write(HERE / files[0], arcname=files[0])
        else:
            zf.writestr("submission.py", "# ConvLab: the submitted files are in convlab_files/\n")
            for name in files:
                zf.write(HERE / name, arcname=f"convlab_files/{name}")
    return path


def main(argv: list[str]) -> int:
    meta = json.loads((HERE / "assignment.json").read_text())
    print(f"{meta['name']}: {meta['title']}\n")
    try:
        student = load_student(meta["files"])
    except Exception:  # noqa: BLE001
        print("Your code could not be imported:\n")
        traceback.print_exc(limit=-1)
        return 1
    ok = run_public_tests(meta, student)
    if "--zip" in argv:
        print(f"\nWrote {write_zip(meta['files'])}: upload it (or the .py file(s) themselves).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
