"""Zero insertion + padding + correlation, without flipping the kernel

A transposed convolution equals: insert stride - 1 zeros between the inputs, pad with
dilation*(K - 1) zeros, then *convolve* with w, that is correlate with the flipped kernel
w[..., ::-1]. Correlating with w itself mirrors every input's footprint: x = [1, 0, 0] with
w = [1, 2, 3] must give [1, 2, 3, ...], not [3, 2, 1, ...]. See §2 of the handout.
"""


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    n, c_in, width = x.shape
    _, c_out, k = w.shape
    span = dilation * (k - 1)
    length = (width - 1) * stride - 2 * padding + span + output_padding + 1
    if (output_padding >= stride and output_padding >= dilation) or length < 1:
        raise ValueError("torch refuses this layer")
    u = np.pad(upsample1d(x, stride), ((0, 0), (0, 0), (span, span + max(0, output_padding - padding))))
    full = np.zeros((n, c_out, u.shape[2] - span))
    for j in range(full.shape[2]):
        for t in range(k):
            full[:, :, j] += u[:, :, j + t * dilation] @ w[:, :, t]
    out = full[:, :, padding : padding + length] + b[None, :, None]
    cache = (x[:, :, None, :], w[:, :, None, :], (1, stride), (0, padding), (1, dilation), (1, full.shape[2]))
    return out, cache
