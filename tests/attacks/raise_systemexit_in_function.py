"""Raises SystemExit inside a function."""
# otter: no
# zeroes: q3
# message: SystemExit


def convolve2d(image, kernel):
    raise SystemExit
