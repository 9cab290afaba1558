"""Returns the right values with an extra leading axis."""
# otter: no
# zeroes: q3
# message: has shape


def convolve2d(image, kernel):
    return correlate2d(image, kernel[::-1, ::-1])[None]
