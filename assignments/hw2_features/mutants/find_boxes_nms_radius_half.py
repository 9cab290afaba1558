"""find_boxes suppresses only within size // 2 pixels

Two candidates compete when they are less than `size` apart (Chebyshev distance: both the row and
the column differences are < size), not size // 2: two windows that far apart overlap and cannot
both be the center of a box. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score >= threshold * (16 * size - 8)
    order = np.lexsort((np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    r = size // 2
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
