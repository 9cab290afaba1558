"""Returns an object array that pretends to hold numbers."""
# zeroes: q3
# message: unencodable


def convolve2d(image, kernel):
    return np.array([[1, "2"], [object(), 4]], dtype=object)
