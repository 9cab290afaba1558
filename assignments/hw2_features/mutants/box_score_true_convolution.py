"""box_score flips the box kernels (true convolution instead of cross-correlation)

The score is a cross-correlation, as F.conv2d computes: kernels[0, 0]'s first row (-1) meets the
top row of the window. Flipping the kernels turns every box score into its negative. See §3.
"""


def box_score(edges, size=5):
    kernels = box_kernels(size)[0]
    return _same_correlate(edges[0], kernels[0, ::-1, ::-1]) + _same_correlate(edges[1], kernels[1, ::-1, ::-1])
