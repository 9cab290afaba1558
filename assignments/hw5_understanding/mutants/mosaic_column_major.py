"""Filter mosaic filled column by column

The tiles are laid out row-major, like text: filter f goes to row f // ncols and column
f % ncols, so the first row holds filters 0 .. ncols - 1. Filling the columns first puts the
filters in the wrong cells (and the unused cells in the wrong place). See §7 of the handout.
"""


def filter_mosaic(weights, ncols=8, pad=1):
    if np.ndim(weights) != 4 or weights.shape[1] not in (1, 3):
        raise ValueError("weights must be (C_out, 1 or 3, k, k)")
    c_out, c_in, kh, kw = weights.shape
    rows = -(-c_out // ncols)
    shape = (rows * kh + (rows - 1) * pad, ncols * kw + (ncols - 1) * pad)
    mosaic = np.ones(shape if c_in == 1 else (*shape, 3))
    for f in range(c_out):
        lo, hi = weights[f].min(), weights[f].max()
        tile = (weights[f] - lo) / (hi - lo) if hi > lo else np.full(weights[f].shape, 0.5)
        q, r = divmod(f, rows)
        top, left = r * (kh + pad), q * (kw + pad)
        mosaic[top : top + kh, left : left + kw] = tile[0] if c_in == 1 else tile.transpose(1, 2, 0)
    return mosaic
