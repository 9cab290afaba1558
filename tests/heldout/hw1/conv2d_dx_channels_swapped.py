"""conv2d_backward computes dx with the weight's channel axes exchanged (w.transpose(1, 0, 2, 3))"""
# ruff: noqa: F821, F811
# right:
_conv2d_backward = conv2d_backward


def conv2d_backward(dout, cache):
    dx, dw, db = _conv2d_backward(dout, cache)
    x_shape, w, stride, padding, dilation, cols = cache
    if w.shape[0] == w.shape[1]:
        swapped = (x_shape, w.transpose(1, 0, 2, 3), stride, padding, dilation, cols)
        dx = _conv2d_backward(dout, swapped)[0]
    else:
        dx = dx[:, ::-1]
    return dx, dw, db
