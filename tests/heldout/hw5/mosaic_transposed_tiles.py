"""filter_mosaic draws every filter transposed"""
# ruff: noqa: F821, F811
# right:
_filter_mosaic = filter_mosaic


def filter_mosaic(weights, ncols=8, pad=1):
    w = np.asarray(weights)
    return _filter_mosaic(w.swapaxes(2, 3), ncols=ncols, pad=pad)
