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
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, 0), (pw, 0)))
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)  # extent of the dilated kernel
    # windows[n, c, i, j, a, e] = x_pad[n, c, i*sh + a*dh, j*sw + e*dw]
    windows = sliding_window_view(x_pad, span, axis=(2, 3))[:, :, ::sh, ::sw, ::dh, ::dw]
    h_out, w_out = windows.shape[2:4]
    # im2col: one row per output position, one column per (c, a, e); then a single matmul
    cols = np.ascontiguousarray(windows.transpose(0, 2, 3, 1, 4, 5)).reshape(n * h_out * w_out, -1)
    out = (cols @ w.reshape(f, -1).T).reshape(n, h_out, w_out, f).transpose(0, 3, 1, 2) + b[None, :, None, None]
    return out, (x.shape, w, (sh, sw), (ph, pw), (dh, dw), cols)
