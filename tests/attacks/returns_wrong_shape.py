"""Returns the transposed result."""
# zeroes: q3
# message: has shape


def convolve2d(image, kernel):
    return np.ascontiguousarray(correlate2d(image, kernel[::-1, ::-1]).T)
