"""Kills its parent (the grader, it hopes) at import time."""
# zeroes: all
# message: importing the submission

import os

try:
    os.kill(os.getppid(), 9)
except OSError:
    pass
os.kill(os.getpid(), 9)
