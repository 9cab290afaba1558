"""Filter mosaic: fewer columns when there are fewer filters than ncols

The grid always has ncols columns: with 3 filters and ncols=5, one row of 5 cells, the last
two unused (white). Shrinking the grid to C_out columns changes the mosaic's width.
See §7 of the handout (Grid).
"""


def filter_mosaic(weights, ncols=8, pad=1):
    if np.ndim(weights) != 4 or weights.shape[1] not in (1, 3):
        raise ValueError("weights must be (C_out, 1 or 3, k, k)")
    if ncols < 1 or pad < 0:
        raise ValueError("ncols must be >= 1 and pad >= 0")
    c_out, c_in, kh, kw = weights.shape
    ncols = min(ncols, c_out)
    rows = -(-c_out // ncols)
    shape = (rows * kh + (rows - 1) * pad, ncols * kw + (ncols - 1) * pad)
    mosaic = np.ones(shape if c_in == 1 else (*shape, 3))
    for f in range(c_out):
        lo, hi = weights[f].min(), weights[f].max()
        tile = (weights[f] - lo) / (hi - lo) if hi > lo else np.full(weights[f].shape, 0.5)
        r, q = divmod(f, ncols)
        top, left = r * (kh + pad), q * (kw + pad)
        mosaic[top : top + kh, left : left + kw] = tile[0] if c_in == 1 else tile.transpose(1, 2, 0)
    return mosaic
