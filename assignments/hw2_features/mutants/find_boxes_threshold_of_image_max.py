"""find_boxes compares with the image's best score instead of the ideal box score

The threshold is a fraction of the score of a *perfect* box (16 * size - 8, 72 for size 5), a
fixed number. Relative to the highest score in the image, an image without any box still
"finds" its most box-like shapes. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score >= threshold * score.max()
    order = np.lexsort((np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    r = size - 1
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
