"""An infinite loop at import time: nothing can be graded."""
# otter: no
# zeroes: all
# message: timed out

while True:
    pass
