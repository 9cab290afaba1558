"""edge_magnitude "l2" takes the square root of the squared sum, sqrt((h + v)**2)"""
# ruff: noqa: F821, F811
# right:
_edge_magnitude = edge_magnitude


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm == "l2":
        return np.sqrt((horizontal + vertical) ** 2)
    return _edge_magnitude(horizontal, vertical, norm)
