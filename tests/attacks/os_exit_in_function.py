"""Calls os._exit(0) inside a function: the process vanishes mid-call."""
# otter: no
# zeroes: q3
# message: exited with status 0


def convolve2d(image, kernel):
    import os

    os._exit(0)
