"""conv2d_forward pads only the top and left

``padding = p`` adds p zero rows above *and* below the input (and p zero columns on the left
*and* right), so the padded input is (H + 2p) x (W + 2p). Padding one side only shifts the
output and drops its last row and column. See §3 of the handout.
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
    x_pad = np.zeros((n, c, h + ph, wd + pw))
    x_pad[:, :, ph:, pw:] = x
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    windows = sliding_window_view(x_pad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    out = np.tensordot(windows, w, axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    out = out.transpose(0, 3, 1, 2) + b[None, :, None, None]
    return out, (x, w, (sh, sw), (ph, pw), (dh, dw), windows)
