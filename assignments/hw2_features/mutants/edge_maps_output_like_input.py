"""edge_maps allocates its outputs with np.zeros_like(image)

np.zeros_like keeps the image's dtype: an 8-bit photo (uint8) gives uint8 edge maps, which cannot
hold negative or fractional values. The maps must be float64 whatever the input dtype. See §1 and §7.
"""


def edge_maps(image):
    horizontal, vertical = np.zeros_like(image), np.zeros_like(image)
    horizontal[...] = _same_correlate(image, SOBEL_HORIZONTAL)
    vertical[...] = _same_correlate(image, SOBEL_VERTICAL)
    return horizontal, vertical
