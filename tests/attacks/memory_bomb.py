"""Tries to allocate tens of GB inside one function."""
# otter: no
# zeroes: q3
# message: exceeded memory


def convolve2d(image, kernel):
    hog = np.ones((64, 1024, 1024, 1024))
    return hog[0, 0, :3, :3]
