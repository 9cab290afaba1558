"""upsample1d_backward sums blocks of factor gradients

That is the gradient of *nearest-neighbour* upsampling (np.repeat), where x[i] is copied to
factor outputs. With zero insertion, x[i] reaches exactly one output, out[i*factor]; the
inserted zeros depend on no input, so their gradient is dropped: dx[i] = dout[i*factor]. See §1
of the handout.
"""


def upsample1d_backward(dout, factor):
    n, c, width = dout.shape
    w = (width - 1) // factor + 1
    dx = np.zeros((n, c, w))
    for i in range(w):
        dx[:, :, i] = dout[:, :, i * factor : (i + 1) * factor].sum(axis=2)
    return dx
