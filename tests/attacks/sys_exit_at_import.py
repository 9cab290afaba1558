"""Calls sys.exit(0) at import time."""
# zeroes: all
# message: sys.exit

import sys

sys.exit(0)
