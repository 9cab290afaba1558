"""box_kernels puts the V kernel in channel 0 and the H kernel in channel 1

The edges are stacked (H, V): channel 0 is the horizontal edge map, so kernels[0, 0] must be the
H kernel (rows -1 ... +1) and kernels[0, 1] the V kernel (columns +1 ... -1). See §3 of the handout.
"""


def box_kernels(size=5):
    if size < 3 or size % 2 == 0:
        raise ValueError(f"size must be an odd int >= 3, got {size!r}")
    kernels = np.zeros((1, 2, size, size))
    kernels[0, 1, 0, :], kernels[0, 1, -1, :] = -1.0, 1.0
    kernels[0, 0, :, 0], kernels[0, 0, :, -1] = 1.0, -1.0
    return kernels
