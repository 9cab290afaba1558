"""Grows by 50 MB at a time (memory really touched) towards 2 GB: past a 768 MB container."""
# gradescope: yes
# zeroes: q3
# message: exceeded memory


def convolve2d(image, kernel):
    hoard = []
    for _ in range(40):
        hoard.append(np.ones((50, 1024, 128)))
    return correlate2d(image, kernel[::-1, ::-1]) + 0 * len(hoard)
