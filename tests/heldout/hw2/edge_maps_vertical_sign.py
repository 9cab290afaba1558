"""edge_maps: the vertical map has the wrong sign (kernel mirrored left-right)"""
# ruff: noqa: F821, F811
# right:
_edge_maps = edge_maps


def edge_maps(image):
    horizontal, vertical = _edge_maps(image)
    return horizontal, -vertical
