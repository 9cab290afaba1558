"""Returns NaN and inf."""
# otter: no
# zeroes: q3
# message: NaN or infinite


def convolve2d(image, kernel):
    out = correlate2d(image, kernel[::-1, ::-1])
    out[0, 0] = np.nan
    out[-1, -1] = np.inf
    return out
