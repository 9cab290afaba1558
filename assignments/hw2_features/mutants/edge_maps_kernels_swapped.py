"""edge_maps uses each Sobel kernel for the other map

SOBEL_VERTICAL (right minus left) finds *vertical* edges and SOBEL_HORIZONTAL (top minus bottom)
finds *horizontal* ones. Correlating with the wrong kernel returns the two maps swapped.
See §1 of the handout.
"""


def edge_maps(image):
    return _same_correlate(image, SOBEL_VERTICAL), _same_correlate(image, SOBEL_HORIZONTAL)
