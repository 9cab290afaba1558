"""find_boxes without non-maximum suppression

Near a box, windows shifted by a pixel score almost as high as its center (50 of 72 for size 5):
with a lower threshold they are candidates too. Only the best candidate of each neighbourhood is
a box; the others must be suppressed. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(score >= threshold * (16 * size - 8)), strict=True)]
