"""Trailing zeros after the last sample

Zero insertion puts factor - 1 zeros *between* two samples, not after every sample: W samples
give (W - 1)*factor + 1 positions, and the last position holds x[..., W - 1]. An output of
W*factor positions ends with factor - 1 zeros that no transposed convolution produces (a
stride-factor F.conv_transpose1d with a one-tap kernel stops at the last sample). See §1 of the
handout.
"""


def upsample1d(x, factor):
    n, c, w = x.shape
    out = np.zeros((n, c, w * factor), dtype=x.dtype)
    out[:, :, ::factor] = x
    return out
