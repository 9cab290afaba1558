"""box_score uses only the horizontal edge map"""
# ruff: noqa: F821, F811
# right:


def box_score(edges, size=5):
    kernels = box_kernels(size)[0]
    edges = np.asarray(edges, dtype=np.float64)
    return _same_correlate(edges[0], kernels[0])
