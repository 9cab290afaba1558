"""find_boxes breaks score ties in favour of the *last* candidate

When two candidates within size of each other have the same score, the one that comes first in
row-major order (smaller row, then smaller column) is kept. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score >= threshold * (16 * size - 8)
    order = np.lexsort((-np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    r = size - 1
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
