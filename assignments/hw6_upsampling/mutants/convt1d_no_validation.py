"""conv_transpose1d_forward accepts layers torch refuses

PyTorch refuses an output_padding that is neither smaller than the stride nor smaller than the
dilation (it would add positions no input can reach), and a layer whose output would be empty
(W_out < 1). The contract asks for a ValueError in both cases, before computing anything. See
§2 of the handout.
"""

# priority: 1


def conv_transpose1d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    n, c_in, width = x.shape
    c_out, k = w.shape[1], w.shape[2]
    reach = (width - 1) * stride + dilation * (k - 1) + 1
    length = reach - 2 * padding + output_padding
    full = np.zeros((n, c_out, max(reach, padding + length)))
    for i in range(width):
        for t in range(k):
            full[:, :, i * stride + t * dilation] += x[:, :, i] @ w[:, :, t]
    out = full[:, :, padding : padding + length] + b[None, :, None]
    cache = (x[:, :, None, :], w[:, :, None, :], (1, stride), (0, padding), (1, dilation), (1, full.shape[2]))
    return out, cache
