"""padding added to the output instead of cropped from it

In a transposed convolution, `padding` is the padding of the convolution it transposes: the
output *loses* padding positions at each end, W_out = (W - 1)*stride - 2*padding + ... Adding
padding zeros around the output (as a convolution pads its input) grows it by 2*padding
instead. See §2 of the handout.
"""


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    out, cache = conv_transpose2d_forward(
        x[:, :, None, :], w[:, :, None, :], np.zeros_like(b), (1, stride), 0, (0, output_padding), (1, dilation)
    )
    out = np.pad(out[:, :, 0, :], ((0, 0), (0, 0), (padding, padding))) + b[None, :, None]
    return out, cache
