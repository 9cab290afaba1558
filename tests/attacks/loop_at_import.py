"""An infinite loop at import time: nothing can be graded."""
# zeroes: all
# message: timed out

while True:
    pass
