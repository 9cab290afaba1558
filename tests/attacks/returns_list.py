"""Returns the right values as a nested list instead of an ndarray."""
# otter: no
# zeroes: q3
# message: is a list, expected a numpy.ndarray


def convolve2d(image, kernel):
    return correlate2d(image, kernel[::-1, ::-1]).tolist()
