"""find_boxes returns (x, y) = (col, row) pairs

The centers are (row, col), like NumPy indices image[row, col]: the first number counts rows
from the top. Returning (x, y) pairs swaps them. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score >= threshold * (16 * size - 8)
    order = np.lexsort((np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    r = size - 1
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return sorted((int(j), int(i)) for i, j in zip(*np.nonzero(keep), strict=True))
