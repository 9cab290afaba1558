"""cnn_output_shape returns float sizes (np.floor of a true division)

`/` always gives a float, and np.floor keeps it a float (16.0, not 16): a shape is made of ints,
and the contract says ints. Use floor division, (H + 2 * padding - kernel) // stride + 1
(math.floor, unlike np.floor, also returns an int). See §5 of the handout.
"""


def cnn_output_shape(input_shape, conv_layers):
    c, h, w = (int(v) for v in input_shape)
    for out_channels, kernel_size, stride, padding in conv_layers:
        (kh, kw), (sh, sw), (ph, pw) = _pair(kernel_size), _pair(stride), _pair(padding)
        h, w = np.floor((h + 2 * ph - kh) / sh) + 1, np.floor((w + 2 * pw - kw) / sw) + 1
        if h < 1 or w < 1:
            raise ValueError("a layer gives an empty output")
        c = int(out_channels)
    return c, h, w
