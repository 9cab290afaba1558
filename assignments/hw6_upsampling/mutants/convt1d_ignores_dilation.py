"""dilation ignored in the transposed convolution

With dilation d, tap k of input i lands on output position i*stride + k*d - padding: the
kernel spans d*(K - 1) + 1 positions, and W_out = (W - 1)*stride - 2*padding + d*(K - 1) +
output_padding + 1. Placing the taps next to each other computes a different layer (and a
shorter output). See §2 of the handout.
"""


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    out, cache = conv_transpose2d_forward(
        x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, padding), (0, output_padding), 1
    )
    return out[:, :, 0, :], cache
