"""conv_transpose2d_forward accepts layers torch refuses

PyTorch refuses, along either axis, an output_padding that is neither smaller than the stride
nor smaller than the dilation, and a layer whose output would be empty. The contract asks for
a ValueError in both cases, before computing anything. See §2 of the handout.
"""

# priority: 1


def conv_transpose2d_forward(x, w, b, stride=1, padding=0, output_padding=0, dilation=1):
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = (
        _pair(stride, "stride"),
        _pair(padding, "padding"),
        _pair(output_padding, "output_padding"),
        _pair(dilation, "dilation"),
    )
    n, c_in, h, wd = x.shape
    _, c_out, kh, kw = w.shape
    h_out = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    w_out = (wd - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    taps = np.tensordot(x, w, axes=([1], [0]))
    full_h = max((h - 1) * sh + dh * (kh - 1) + 1, ph + h_out)
    full_w = max((wd - 1) * sw + dw * (kw - 1) + 1, pw + w_out)
    full = np.zeros((n, c_out, full_h, full_w))
    for a in range(kh):
        for e in range(kw):
            rows = slice(a * dh, a * dh + sh * (h - 1) + 1, sh)
            cols = slice(e * dw, e * dw + sw * (wd - 1) + 1, sw)
            full[:, :, rows, cols] += taps[:, :, :, :, a, e].transpose(0, 3, 1, 2)
    out = full[:, :, ph : ph + max(h_out, 0), pw : pw + max(w_out, 0)] + b[None, :, None, None]
    return out, (x, w, (sh, sw), (ph, pw), (dh, dw), (full_h, full_w))
