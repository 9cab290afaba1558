"""Filter mosaic normalized globally instead of filter by filter

Each filter is stretched to [0, 1] on its own, (w - min) / (max - min) with its own min and
max, so a filter with small weights still shows its pattern. One global min and max for all
filters makes the weak ones a flat grey. See §7 of the handout.
"""


def filter_mosaic(weights, ncols=8, pad=1):
    if np.ndim(weights) != 4 or weights.shape[1] not in (1, 3):
        raise ValueError("weights must be (C_out, 1 or 3, k, k)")
    c_out, c_in, kh, kw = weights.shape
    rows = -(-c_out // ncols)
    shape = (rows * kh + (rows - 1) * pad, ncols * kw + (ncols - 1) * pad)
    mosaic = np.ones(shape if c_in == 1 else (*shape, 3))
    lo, hi = weights.min(), weights.max()
    for f in range(c_out):
        tile = (weights[f] - lo) / (hi - lo) if hi > lo else np.full(weights[f].shape, 0.5)
        r, q = divmod(f, ncols)
        top, left = r * (kh + pad), q * (kw + pad)
        mosaic[top : top + kh, left : left + kw] = tile[0] if c_in == 1 else tile.transpose(1, 2, 0)
    return mosaic
