"""output_padding added at the start of the output instead of the end

output_padding adds positions at the *end* only (the right in 1D, the bottom and right in 2D),
to choose among the input sizes a strided convolution maps to the same output size. Those
positions hold what the kernel scattered there (cropped by padding otherwise), or 0, plus the
bias. Adding them at the start shifts the whole output. See §2 of the handout.
"""


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    out, cache = conv_transpose2d_forward(
        x[:, :, None, :], w[:, :, None, :], np.zeros_like(b), (1, stride), (0, padding), 0, (1, dilation)
    )
    out = np.pad(out[:, :, 0, :], ((0, 0), (0, 0), (output_padding, 0))) + b[None, :, None]
    return out, cache
