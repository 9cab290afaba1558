"""Prints 200 MB to stdout and stderr, then answers correctly."""
# zeroes: none
# message: of output dropped


def convolve2d(image, kernel):
    import sys

    chunk = "spam " * 200_000
    for _ in range(100):
        sys.stdout.write(chunk)
        sys.stderr.write(chunk)
    return correlate2d(image, kernel[::-1, ::-1])
