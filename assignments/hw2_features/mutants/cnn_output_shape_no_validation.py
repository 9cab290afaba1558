"""cnn_output_shape returns an empty (or negative) size instead of raising

When a kernel is larger than its (padded) input, the layer has no output at all: PyTorch refuses
it, and cnn_output_shape must raise a ValueError. See §5 of the handout.
"""


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = (int(v) for v in input_shape)
    for out_channels, kernel_size, stride, padding in conv_layers:
        (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
        h, w = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        c = int(out_channels)
    return c, h, w
