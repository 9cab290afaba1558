"""Filter mosaic ignores the colour channels

RGB filters (C_in = 3) are drawn in colour: each tile is (k, k, 3), channels last, and the
mosaic has a trailing axis of 3. Drawing only input channel 0 loses the colours, and any
other C_in must raise ValueError rather than be drawn. See §7 of the handout.
"""


def filter_mosaic(weights, ncols=8, pad=1):
    c_out, _, kh, kw = weights.shape
    rows = -(-c_out // ncols)
    mosaic = np.ones((rows * kh + (rows - 1) * pad, ncols * kw + (ncols - 1) * pad))
    for f in range(c_out):
        tile = weights[f, 0]
        lo, hi = tile.min(), tile.max()
        r, q = divmod(f, ncols)
        top, left = r * (kh + pad), q * (kw + pad)
        mosaic[top : top + kh, left : left + kw] = (tile - lo) / (hi - lo) if hi > lo else 0.5
    return mosaic
