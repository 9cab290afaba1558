"""find_boxes suppresses candidates up to size pixels away (<= size instead of < size)

Two candidates are neighbours when max(|row difference|, |column difference|) < size: then their
size x size windows overlap. Windows whose centers are exactly size apart only touch, and both
can be boxes (two boxes touching corner to corner, for example). See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    candidate = score >= threshold * (16 * size - 8)
    order = np.lexsort((np.arange(score.size), -score.ravel()))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(score.size)
    rank = np.where(candidate.ravel(), rank, score.size).reshape(score.shape)
    r = size
    padded = np.pad(rank, r, constant_values=score.size)
    best = sliding_window_view(padded, (2 * r + 1, 2 * r + 1)).min(axis=(2, 3))
    keep = candidate & (rank == best)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep), strict=True)]
