"""conv1d_backward ignores the stride

Output t read the input from position t*stride on, so its gradient goes back there (for dw,
the same window must be read); the backward pass must replay the forward's stride, not
step one position per output. See §4 of the handout.
"""


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    n, c, t = x.shape
    f, _, k = w.shape
    t_out = conv_output_size(t, k, stride, padding, dilation)
    x_pad = np.pad(x, ((0, 0), (0, 0), (padding, padding)))
    span = dilation * (k - 1) + 1
    out = np.zeros((n, f, t_out))
    for i in range(t_out):
        window = x_pad[:, :, i * stride : i * stride + span : dilation]  # (N, C, K)
        out[:, :, i] = np.einsum("nck,fck->nf", window, w) + b
    return out, (x_pad, w, stride, padding, dilation, t)


def conv1d_backward(dout, cache):
    x_pad, w, stride, padding, dilation, t = cache
    k = w.shape[2]
    span = dilation * (k - 1) + 1
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    for i in range(dout.shape[2]):
        start = i
        window = x_pad[:, :, start : start + span : dilation]
        dw += np.einsum("nf,nck->fck", dout[:, :, i], window)
        dx_pad[:, :, start : start + span : dilation] += np.einsum("nf,fck->nck", dout[:, :, i], w)
    db = dout.sum(axis=(0, 2))
    return dx_pad[:, :, padding : padding + t], dw, db
