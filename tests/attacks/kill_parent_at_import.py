"""Kills its parent (the grader, it hopes) and its own process group at import time, then exits.

In a PID namespace the worker is its namespace's init: its parent is invisible (pid 0) and
SIGKILL from inside is ignored, so the final sys.exit is what ends the import; without
namespaces the worker runs as another user and cannot signal the grader.
"""
# zeroes: all
# message: could not be loaded

import os
import sys

for _pid in (os.getppid(), 0, os.getpid()):
    try:
        os.kill(_pid, 9)
    except OSError:
        pass
sys.exit(1)
