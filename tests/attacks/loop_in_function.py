"""An infinite loop inside one function."""
# zeroes: q3
# message: timed out


def convolve2d(image, kernel):
    while True:
        pass
