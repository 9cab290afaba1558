"""conv2d_forward adds the bias along the wrong axis

NumPy broadcasts from the last axis: ``out + b`` on an (N, C_out, H', W') array adds b[j] to
column j, not b[f] to channel f. The bias must be reshaped to (1, C_out, 1, 1) first. It
crashes unless W' == C_out, and is silently wrong when they are equal. See §3 of the handout.
"""


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    (sh, sw), (ph, pw), (dh, dw) = (
        _pair(stride, "stride"),
        _pair(padding, "padding"),
        _pair(dilation, "dilation"),
    )
    n, c, h, wd = x.shape
    f, c_w, kh, kw = w.shape
    if c != c_w or b.shape != (f,):
        raise ValueError(f"shapes do not match: x {x.shape}, w {w.shape}, b {b.shape}")
    conv_output_size(h, kh, sh, ph, dh), conv_output_size(wd, kw, sw, pw, dw)  # validates
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(x_pad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    out = out.transpose(0, 3, 1, 2) + b
    return out, (x, w, (sh, sw), (ph, pw), (dh, dw), windows)
