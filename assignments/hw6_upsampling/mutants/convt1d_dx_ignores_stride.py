"""dx reads dout as if the stride were 1

Input i scattered its kernel onto positions i*stride + k*dilation - padding, so its gradient
gathers dout from exactly those positions: dx[n, c, i] = sum over o, k of
dout[n, o, i*stride + k*dilation - padding] * w[c, o, k]. Reading positions i + k*dilation
(stride 1) takes the gradient of outputs the input never touched. See §3 of the handout.
"""


def conv_transpose1d_backward(dout, cache):
    _, dw, db = conv_transpose2d_backward(dout[:, :, None, :], cache)
    x, w, (_, stride), (_, padding), (_, dilation), (_, full_len) = cache
    x, w = x[:, :, 0, :], w[:, :, 0, :]
    dfull = np.zeros((dout.shape[0], dout.shape[1], full_len))
    dfull[:, :, padding : padding + dout.shape[2]] = dout
    dx = np.zeros(x.shape)
    for i in range(x.shape[2]):
        for t in range(w.shape[2]):
            dx[:, :, i] += dfull[:, :, i + t * dilation] @ w[:, :, t].T
    return dx, dw[:, :, 0, :], db
