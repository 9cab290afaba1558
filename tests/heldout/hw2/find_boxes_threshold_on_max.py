"""find_boxes keeps only the candidates scoring the single best score"""
# ruff: noqa: F821, F811
# right:
_find_boxes = find_boxes


def find_boxes(image, size=5, threshold=0.9):
    image = np.asarray(image, dtype=np.float64)
    score = box_score(np.stack(edge_maps(image)), size)
    centers = _find_boxes(image, size=size, threshold=threshold)
    if not centers:
        return centers
    best = max(score[c] for c in centers)
    return [c for c in centers if score[c] >= best - 1e-9]
