"""An infinite loop inside one function."""
# otter: no
# zeroes: q3
# message: timed out


def convolve2d(image, kernel):
    while True:
        pass
