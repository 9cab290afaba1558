"""Filter mosaic: a constant filter drawn as 0 instead of 0.5

A constant filter has max == min, so (w - min) / (max - min) is 0 / 0. Guarding the division
with "or 1" draws it black, as if it were the filter's minimum; the handout draws it
mid-grey, 0.5. See §7 of the handout.
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
        tile = (weights[f] - lo) / ((hi - lo) or 1.0)
        r, q = divmod(f, ncols)
        top, left = r * (kh + pad), q * (kw + pad)
        mosaic[top : top + kh, left : left + kw] = tile[0] if c_in == 1 else tile.transpose(1, 2, 0)
    return mosaic
