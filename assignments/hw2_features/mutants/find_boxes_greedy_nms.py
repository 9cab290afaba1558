"""find_boxes uses greedy suppression: a suppressed candidate no longer suppresses

Greedy NMS (keep the best candidate, delete its neighbours, repeat with the best one left) keeps
a candidate whose only better neighbours were deleted before it. The rule of §4 is different: a
candidate is kept only if no neighbouring candidate beats it, whether or not that neighbour is
kept itself. In a chain of overlapping candidates the two disagree: a 5x9 rectangle at
threshold 0.6 has one box center under §4's rule, two under greedy NMS. See §4 of the handout.
"""


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    rows, cols = np.nonzero(score >= threshold * (16 * size - 8))
    # best first; np.nonzero is row-major and the sort is stable, so ties stay row-major
    order = np.argsort(-score[rows, cols], kind="stable")
    kept = []
    for k in order:
        i, j = int(rows[k]), int(cols[k])
        if all(max(abs(i - a), abs(j - b)) >= size for a, b in kept):
            kept.append((i, j))
    return sorted(kept)
