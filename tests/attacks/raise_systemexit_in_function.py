"""Raises SystemExit inside a function."""
# zeroes: q3
# message: SystemExit


def convolve2d(image, kernel):
    raise SystemExit
