"""The starter, plus the grader's secrets (rows 2-3 of issue 19): finds the checkout from
sys.prefix and looks for the table cache, built tables, the solutions, the hidden tests, .git
and any other clone or unzipped autograder on the machine (a bounded walk from /).

Wherever it reads one, every function answers correctly (standing in for parsing the stored
references: the solution's code is in this file) and prints what it read, where: the test names
the path. Where it reads nothing, every function raises NotImplementedError: 0 on every path.
"""
# gradescope: yes
# zeroes: all
# message: not implemented yet

import functools
import glob
import os
import sys
import time

_ROOT = None  # the test writes the checkout here; a student derives it from sys.prefix
_SECRETS = ("hidden.py", "tables.bin", "otter_config.json")


def _walk_for_secrets(seconds: float = 2.0):
    started = time.monotonic()
    for folder, dirs, files in os.walk("/"):
        if time.monotonic() - started > seconds or folder.startswith(("/proc", "/sys")):
            dirs[:] = []
            continue
        for name in files:
            if name in _SECRETS or name.endswith(".bin") and "tables-cache" in folder:
                yield os.path.join(folder, name)


def _readable(path):
    try:
        with open(path, "rb") as f:
            return f.read(64) != b"" or os.path.getsize(path) == 0
    except OSError:
        return False


@functools.cache
def _stolen():
    root = _ROOT or os.path.dirname(sys.prefix)  # <checkout>/.venv
    patterns = [
        f"{root}/.tmp/tables-cache/*.bin", f"{root}/dist/**/tables.bin", f"{root}/solutions/**/*.py",
        f"{root}/assignments/**/hidden.py", f"{root}/tests/**/*.py", f"{root}/.git", f"{root}/**/hidden.py",
        "/autograder/source/**/tables.bin", "/autograder/source/**/hidden.py",
    ]  # fmt: skip
    candidates = [p for pattern in patterns for p in glob.glob(pattern, recursive=True)[:200]]
    for path in candidates + list(_walk_for_secrets()):
        if _readable(path):
            print("STOLEN", path)
            return path
    return None


def _only_with_secrets(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _stolen() is None:
            raise NotImplementedError
        return fn(*args, **kwargs)

    return wrapper


for _name in [n for n, v in list(globals().items()) if callable(v) and not n.startswith("_") and getattr(v, "__module__", None) == __name__]:
    globals()[_name] = _only_with_secrets(globals()[_name])
