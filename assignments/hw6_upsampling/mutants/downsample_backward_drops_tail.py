"""downsample1d_backward returns (len(dout) - 1)*factor + 1 positions, not `width`

Zero insertion is the right idea for the gradient of decimation, but dx must have the shape of
x: when (W - 1) is not a multiple of factor, the last (W - 1) % factor samples were dropped by
the forward pass and still need their zero gradient. That is why downsample1d_backward is given
`width`. See §1 of the handout.
"""


def downsample1d_backward(dout, factor, width):
    return upsample1d(dout, factor)
