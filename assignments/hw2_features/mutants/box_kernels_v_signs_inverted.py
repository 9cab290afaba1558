"""box_kernels: the V kernel's signs are inverted

On a box's left side the image goes from dark to bright, so V (right minus left) is positive
there: the V kernel's first column is +1 and its last column -1. Inverted, the two sides cancel
the H channel's score. See §3 of the handout.
"""


def box_kernels(size=5):
    if size < 3 or size % 2 == 0:
        raise ValueError(f"size must be an odd int >= 3, got {size!r}")
    kernels = np.zeros((1, 2, size, size))
    kernels[0, 0, 0, :], kernels[0, 0, -1, :] = -1.0, 1.0
    kernels[0, 1, :, 0], kernels[0, 1, :, -1] = -1.0, 1.0
    return kernels
