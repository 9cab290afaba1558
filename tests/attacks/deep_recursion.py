"""Unbounded recursion, with the recursion limit raised so the C stack overflows."""
# otter: no
# zeroes: q3
# message: convolve2d


def convolve2d(image, kernel):
    import sys

    sys.setrecursionlimit(10**7)

    def down(n):
        return down(n + 1) + 1

    return down(0)
