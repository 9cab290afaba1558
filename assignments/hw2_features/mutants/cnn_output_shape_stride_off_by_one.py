"""cnn_output_shape divides the number of positions by the stride (off by one)

There are H + 2p - k + 1 positions for a window, but with stride s only every s-th one is used,
starting at the first: floor((H + 2p - k) / s) + 1, not (H + 2p - k + 1) // s. The two agree only
for stride 1. See §5 of the handout.
"""


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = (int(v) for v in input_shape)
    for out_channels, kernel_size, stride, padding in conv_layers:
        (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
        h, w = (h + 2 * ph - kh + 1) // sh, (w + 2 * pw - kw + 1) // sw
        if h < 1 or w < 1:
            raise ValueError("empty output")
        c = int(out_channels)
    return c, h, w
