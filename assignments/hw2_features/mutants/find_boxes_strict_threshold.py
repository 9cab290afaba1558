"""find_boxes compares with > instead of >=

A candidate is a position whose score is *at least* threshold * ideal. With threshold=1.0 a
perfect box scores exactly the ideal score and must be found. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score > threshold * (16 * size - 8)
    order = np.lexsort((np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    r = size - 1
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
