"""Flatten in (H, W, C) order instead of (C, H, W)

PyTorch's x.flatten(1) keeps the NCHW memory order: all of channel 0 first, then channel 1.
Moving the channels last before reshaping (TensorFlow's NHWC habit) permutes the features, so
the linear head's weights no longer line up. See §5 of the handout.
"""


def flatten_forward(x):
    moved = np.moveaxis(x, 1, -1)
    return moved.reshape(x.shape[0], -1).copy(), moved.shape


def flatten_backward(dout, cache):
    return np.moveaxis(dout.reshape(cache), -1, 1).copy()
