"""hw1 submission: every correlation computed with the FFT (np.fft), the layers built on it.

A correct submission whose results differ from the exact sums by rounding (the lecture's "4"
comes out as 3.999999999999999): it must get full marks, since every check compares floats
within a tolerance. The layers dilate the kernel by inserting zeros between its taps, correlate
each input channel with the FFT at stride 1, and keep every stride-th output; the backward pass
uses the same correlations with the upstream gradient spread out by the stride.
"""

import numpy as np


def _two(v):
    if isinstance(v, (tuple, list)):
        return int(v[0]), int(v[1])
    return int(v), int(v)


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    if min(n, kernel_size, stride, dilation) < 1 or padding < 0:
        raise ValueError("conv_output_size: argument out of range")
    size = (n + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1
    if size < 1:
        raise ValueError("conv_output_size: the kernel does not fit")
    return size


def correlate2d(image, kernel):
    # the full linear convolution with the kernel turned by 180 degrees (both zero-padded to
    # the full size, so nothing wraps around), then its valid block
    h, w = image.shape
    kh, kw = kernel.shape
    size = (h + kh - 1, w + kw - 1)
    spectrum = np.fft.rfft2(image, s=size) * np.fft.rfft2(kernel[::-1, ::-1], s=size)
    full = np.fft.irfft2(spectrum, s=size)
    return full[kh - 1 : h, kw - 1 : w].copy()


def convolve2d(image, kernel):
    return correlate2d(image, kernel[::-1, ::-1])


def _spread(a, step_h, step_w):
    """a with (step - 1) zeros between neighbouring entries of its last two axes."""
    *lead, h, w = a.shape
    out = np.zeros((*lead, (h - 1) * step_h + 1, (w - 1) * step_w + 1))
    out[..., ::step_h, ::step_w] = a
    return out


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    sh, sw = _two(stride)
    ph, pw = _two(padding)
    dh, dw = _two(dilation)
    n, c, h, wd = x.shape
    f, _, kh, kw = w.shape
    h_out = conv_output_size(h, kh, sh, ph, dh)
    w_out = conv_output_size(wd, kw, sw, pw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    holes = _spread(w, dh, dw)  # the dilated kernels
    out = np.zeros((n, f, h_out, w_out))
    for i in range(n):
        for j in range(f):
            full = sum(correlate2d(xp[i, k], holes[j, k]) for k in range(c))
            out[i, j] = full[::sh, ::sw][:h_out, :w_out] + b[j]
    return out, (xp, w, (sh, sw), (ph, pw), (dh, dw), (h, wd))


def conv2d_backward(dout, cache):
    xp, w, (sh, sw), (ph, pw), (dh, dw), (h, wd) = cache
    n, f = dout.shape[:2]
    c, kh, kw = w.shape[1:]
    holes = _spread(w, dh, dw)
    spread = _spread(dout, sh, sw)  # dout at the positions where the windows start
    rh, rw = holes.shape[2] - 1, holes.shape[3] - 1
    dxp = np.zeros(xp.shape)
    dweights = np.zeros(w.shape)
    for i in range(n):
        for j in range(f):
            # the scatter of §4 is a full convolution of the spread dout with the dilated kernel
            around = np.pad(spread[i, j], ((rh, rh), (rw, rw)))
            for k in range(c):
                part = convolve2d(around, holes[j, k])
                dxp[i, k, : part.shape[0], : part.shape[1]] += part
                dweights[j, k] += correlate2d(xp[i, k], spread[i, j])[::dh, ::dw][:kh, :kw]
    db = dout.sum(axis=(0, 2, 3))
    return dxp[:, :, ph : ph + h, pw : pw + wd].copy(), dweights, db


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    out, cache = conv2d_forward(x[:, :, None, :], w[:, :, None, :], b, (1, stride), (0, padding), (1, dilation))
    return out[:, :, 0, :], cache


def conv1d_backward(dout, cache):
    dx, dw, db = conv2d_backward(dout[:, :, None, :], cache)
    return dx[:, :, 0, :], dw[:, :, 0, :], db
