"""Self-check for your assignment: runs the public tests on your code and prints the results.

Usage (from the folder you unzipped):

    python check.py              # the rules and the public tests, per question
    python check.py --torch      # also compare with PyTorch on random configurations
    python check.py --torch --seed 1234   # replay the random configurations of an earlier run
    python check.py --zip        # also write submission.zip with the files to upload

Always checked: the assignment's import rules (read from your files, with the line number) and
that no function modifies its input arrays. ``--torch`` needs PyTorch on your machine (the CPU
wheel is enough): it draws fresh random configurations on every run, from the same families
as the grader's hidden cases, and compares your functions with the library that computes them.

The public tests are a subset of what the grader runs: passing them all does not guarantee
full marks (the hidden tests compare with PyTorch on many more cases).
"""

from __future__ import annotations

import argparse
import ast
import importlib
import json
import secrets
import sys
import time
import traceback
import types
import zipfile
from pathlib import Path

sys.dont_write_bytecode = True  # leave no __pycache__ in your folder
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
TORCH_HINT = (
    "PyTorch is not installed, so only the plain public checks run. For the comparisons with PyTorch: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu"
)


# ---------------------------------------------------------------- the rules


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level module) of every import in a file: statements, __import__ and import_module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append((node.lineno, node.module.split(".")[0]))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("__import__", "import_module"):
                found.append((node.lineno, node.args[0].value.split(".")[0]))
    return sorted(found)


def forbidden_imports(meta: dict) -> list[str]:
    """One message per import of a forbidden module in your files (empty if none)."""
    problems = []
    for name, forbidden in meta.get("forbidden_imports", {}).items():
        path = HERE / name
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=name)
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue  # importing the file reports it
        for line, module in _imported_modules(tree):
            if module in forbidden:
                problems.append(f"{name} line {line}: imports {module}, which {name} may not use ({', '.join(forbidden)} are not allowed)")
    return problems


def _arrays(fn: object, args: tuple, kwargs: dict) -> list[tuple[str, object, object]]:
    """(name, array, copy) for every NumPy array among the arguments, nested ones included."""
    import inspect

    import numpy as np

    try:
        names = list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        names = []
    label = lambda i: names[i] if i < len(names) else str(i)  # noqa: E731
    found, stack = [], [(label(i), v) for i, v in enumerate(args)] + [(k, v) for k, v in kwargs.items()]
    while stack:
        name, value = stack.pop()
        if isinstance(value, np.ndarray):
            found.append((name, value, value.copy()))
        elif isinstance(value, dict):
            stack += [(f"{name}[{k!r}]", v) for k, v in value.items()]
        elif isinstance(value, (list, tuple)):
            stack += [(f"{name}[{i}]", v) for i, v in enumerate(value)]
    return found


def guarded(fn_name: str, fn: object) -> object:
    """``fn``, failing the check that called it if it modified one of its input arrays."""
    import checklib
    import numpy as np

    def call(*args: object, **kwargs: object) -> object:
        before = _arrays(fn, args, kwargs)
        result = fn(*args, **kwargs)
        changed = [name for name, value, copy in before if not np.array_equal(value, copy, equal_nan=value.dtype.kind in "fc")]
        if changed:
            raise checklib.CheckFailure(f"{fn_name} modified its input argument(s) {', '.join(sorted(changed))} in place")
        return result

    return call


def load_student(files: list[str]) -> tuple[types.SimpleNamespace, dict[str, str]]:
    """Import your files and gather their public names into one namespace (functions guarded).

    A file that cannot be imported is reported (its checks fail with that message); the others
    are checked anyway. Returns the namespace and {file: the import error}.
    """
    namespace, errors = types.SimpleNamespace(), {}
    for name in files:
        try:
            module = importlib.import_module(Path(name).stem)
        except Exception:  # noqa: BLE001 - show the student their own traceback
            errors[name] = traceback.format_exc(limit=-1)
            continue
        for attr in dir(module):
            value = getattr(module, attr)
            if attr.startswith("_"):
                continue
            is_function = isinstance(value, types.FunctionType) and value.__module__ == module.__name__
            setattr(namespace, attr, guarded(attr, value) if is_function else value)
    return namespace, errors


# ---------------------------------------------------------------- running checks


def _outcome(run: object) -> tuple[bool, str]:
    import checklib

    try:
        run()
        return True, ""
    except NotImplementedError:
        return False, "not implemented yet (raises NotImplementedError)"
    except checklib.CheckFailure as exc:
        return False, str(exc)
    except Exception:  # noqa: BLE001 - show the student their own traceback
        return False, traceback.format_exc(limit=-3)


def run_public_tests(student: object) -> dict[str, list[tuple[str, bool, str]]]:
    import public_tests

    results: dict[str, list[tuple[str, bool, str]]] = {}
    for case in public_tests.suite.cases:
        started = time.perf_counter()
        passed, message = _outcome(lambda case=case: case.run(student))
        results.setdefault(case.question, []).append((f"{case.title} ({time.perf_counter() - started:.2f} s)", passed, message))
    return results


def run_practice(student: object, seed: int) -> dict[str, list[tuple[str, bool, str]]]:
    import practice_tests

    suite = practice_tests.suite
    results: dict[str, list[tuple[str, bool, str]]] = {}
    for index, check in enumerate(suite.checks):
        started, box = time.perf_counter(), {}

        def run(index: int = index) -> None:
            box["passed"], failure = suite.run_check(index, student, seed)
            if failure:
                import checklib

                raise checklib.CheckFailure(failure)

        passed, message = _outcome(run)
        drawn = f"{check.draws} draws" if passed else f"{box.get('passed', 0)} of {check.draws} draws passed"
        title = f"{check.title} [{check.kind}] ({drawn}, {time.perf_counter() - started:.2f} s)"
        results.setdefault(check.question, []).append((title, passed, message))
    return results


def torch_available(meta: dict) -> str | None:
    """None if the practice checks can run here, else the hint to print."""
    for module, hint in meta.get("practice_requires", {}).items():
        try:
            importlib.import_module(module)
        except ImportError:
            return hint if module != "torch" else TORCH_HINT
    return None


def print_report(meta: dict, public: dict, practice: dict | None) -> bool:
    everything_passed, unchecked = True, []
    total = passed_total = 0
    for q in meta["questions"]:
        results = public.get(q["id"], []) + (practice or {}).get(q["id"], [])
        ok = sum(p for _, p, _ in results)
        total, passed_total = total + len(results), passed_total + ok
        everything_passed &= ok == len(results)
        if not public.get(q["id"]):
            unchecked.append(q)
        status = "no public check" if not results else ("PASS" if ok == len(results) else "FAIL")
        print(f"{q['id']} {q['title']} ({q['points']:g} points): {status} {ok}/{len(results)}")
        for title, passed, message in results:
            print(f"    {'ok  ' if passed else 'FAIL'} {title}")
            if message:
                print("\n".join("         " + line for line in message.strip().splitlines()))
    print(f"\n{passed_total} of {total} checks passed.")
    for q in unchecked:
        print(f"{q['id']}: no public check, graded by the hidden tests only ({q['points']:g} points).")
    print("The grader also runs hidden tests against PyTorch. " + meta.get("when_results", "Their results are shown when grades are published."))
    return everything_passed


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
    parser = argparse.ArgumentParser(prog="python check.py", description="Check your assignment before you submit it.")
    parser.add_argument("--torch", action="store_true", help="also compare with PyTorch on random configurations")
    parser.add_argument("--seed", type=int, help="replay the random configurations of an earlier --torch run")
    parser.add_argument("--zip", action="store_true", help="also write submission.zip")
    args = parser.parse_args(argv)
    meta = json.loads((HERE / "assignment.json").read_text())
    print(f"{meta['name']}: {meta['title']}\n")
    rules = forbidden_imports(meta)
    for problem in rules:
        print(f"FAIL import rule: {problem}")
    student, import_errors = load_student(meta["files"])
    for name, error in import_errors.items():
        print(f"{name} could not be imported (its checks fail):\n{error}")
    if len(import_errors) == len(meta["files"]):
        return 1
    practice = None
    if args.torch:
        hint = torch_available(meta) if (HERE / "practice_tests.py").is_file() else "This assignment has no practice checks yet."
        if hint:
            print(hint + "\n")
        else:
            seed = args.seed if args.seed is not None else secrets.randbelow(1_000_000)
            print(f"Comparing with PyTorch on random configurations, seed {seed} (replay: python check.py --torch --seed {seed})\n")
            practice = run_practice(student, seed)
    ok = print_report(meta, run_public_tests(student), practice) and not rules and not import_errors
    if rules:
        print(f"\nThe import rules fail ({len(rules)} problem(s) above): the grader refuses those imports.")
    if args.zip:
        print(f"\nWrote {write_zip(meta['files'])}: upload it (or the .py file(s) themselves).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
