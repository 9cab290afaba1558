"""edge_magnitude "l1" sums the signed maps (forgets the absolute values)"""
# ruff: noqa: F821, F811
# right:
_edge_magnitude = edge_magnitude


def edge_magnitude(horizontal, vertical, norm="l2"):
    if norm == "l1":
        return horizontal + vertical
    return _edge_magnitude(horizontal, vertical, norm)
