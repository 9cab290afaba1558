"""edge_maps flips the kernels (true convolution instead of cross-correlation)

Like F.conv2d, edge_maps computes cross-correlation: the kernel is used as it is. Flipping a
Sobel kernel in both axes negates it, so every edge gets the opposite sign. See §1 of the handout.
"""


def edge_maps(image):
    return (
        _same_correlate(image, SOBEL_HORIZONTAL[::-1, ::-1]),
        _same_correlate(image, SOBEL_VERTICAL[::-1, ::-1]),
    )
