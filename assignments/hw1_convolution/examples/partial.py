"""hw1 -- work in progress: sections 1 and 2 done, the layers are still to do."""

import numpy as np


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if n < 1 or kernel_size < 1 or stride < 1 or dilation < 1 or padding < 0:
        raise ValueError("invalid arguments")
    out = (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if out < 1:
        raise ValueError("output would be empty")
    return out


def correlate2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.empty((H - kh + 1, W - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out


def convolve2d(image, kernel):
    return correlate2d(image, kernel[::-1, ::-1])


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    raise NotImplementedError


def conv1d_backward(dout, cache):
    raise NotImplementedError


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    raise NotImplementedError


def conv2d_backward(dout, cache):
    raise NotImplementedError
