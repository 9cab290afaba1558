"""cnn_output_shape ignores the padding

Padding adds `padding` zeros at *each* end of both spatial axes before the kernel slides:
H <- floor((H + 2 * padding - kernel) / stride) + 1. See §5 of the handout.
"""


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = (int(v) for v in input_shape)
    for out_channels, kernel_size, stride, _padding in conv_layers:
        (kh, kw), (sh, sw) = _pair(kernel_size), _pair(stride)
        h, w = (h - kh) // sh + 1, (w - kw) // sw + 1
        if h < 1 or w < 1:
            raise ValueError("empty output")
        c = int(out_channels)
    return c, h, w
