"""dx puts dout back at offset 0 instead of at offset padding

The forward pass cropped `padding` positions from the start of the full output, so dout[j]
is the gradient of full position j + padding. Placing dout at the start of the full-length
gradient shifts every term of dx by padding positions. See §3 of the handout.
"""


def conv_transpose1d_backward(dout, cache):
    _, dw, db = conv_transpose2d_backward(dout[:, :, None, :], cache)
    x, w, (_, stride), (_, padding), (_, dilation), (_, full_len) = cache
    x, w = x[:, :, 0, :], w[:, :, 0, :]
    dfull = np.zeros((dout.shape[0], dout.shape[1], full_len))
    dfull[:, :, : dout.shape[2]] = dout
    dx = np.zeros(x.shape)
    for i in range(x.shape[2]):
        for t in range(w.shape[2]):
            dx[:, :, i] += dfull[:, :, i * stride + t * dilation] @ w[:, :, t].T
    return dx, dw[:, :, 0, :], db
