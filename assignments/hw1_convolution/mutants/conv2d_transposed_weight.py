"""conv2d_forward reads the weights as (C_in, C_out, KH, KW)

Weights are laid out (C_out, C_in, KH, KW), as in PyTorch: w[f, c] is the kernel that input
channel c contributes to output channel f. Indexing it as w[c, f] fails when C_in != C_out and
mixes the channels up when they are equal. See §3 of the handout.
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
    out = np.einsum("ncijae,cfae->nfij", windows, w) + b[None, :, None, None]
    return out, (x, w, (sh, sw), (ph, pw), (dh, dw), windows)
