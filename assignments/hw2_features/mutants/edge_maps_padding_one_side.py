"""edge_maps pads on one side only

A 3x3 kernel needs one row and one column of zeros on *every* side for the output to keep the
image's shape and for out[i, j] to be centred on pixel (i, j). Two rows and columns on one side
(before, or after) also keep the shape, but every value is then computed one pixel off: the map
is shifted by one row and one column. See §1 of the handout.
"""

# variants: before, after
_VARIANT = "before"


def edge_maps(image):
    image = np.asarray(image, dtype=np.float64)
    pad = ((2, 0), (2, 0)) if _VARIANT == "before" else ((0, 2), (0, 2))
    padded = np.pad(image, pad)
    windows = sliding_window_view(padded, (3, 3))  # (H, W, 3, 3)
    horizontal = np.einsum("ijab,ab->ij", windows, SOBEL_HORIZONTAL)
    vertical = np.einsum("ijab,ab->ij", windows, SOBEL_VERTICAL)
    return horizontal, vertical
