"""Calls os._exit(0) at import time."""
# otter: no
# zeroes: all
# message: exited with status 0

import os

os._exit(0)
