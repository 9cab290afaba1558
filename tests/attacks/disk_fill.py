"""Fills its folder with many files under the per-file size limit (row 9 of issue 19): on a
small temp file system every batch-mate then failed with ENOSPC. The worker's folder has a
budget (a sized tmpfs with namespaces, a watchdog without): q3 scores 0, the rest is untouched.
"""
# otter: no
# zeroes: q3


def convolve2d(image, kernel):

    block = b"x" * (64 * 1024)
    for i in range(1_000_000):
        try:
            with open(f"fill_{i:07d}", "wb") as f:
                f.write(block)
        except OSError:
            break
    return np.zeros((1, 1))
