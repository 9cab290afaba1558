"""conv2d_forward flips the kernels (true convolution)

A convolution *layer* computes cross-correlation, as torch.nn.functional.conv2d does: the
kernel is not flipped. Flipping it gives a different layer (the learned weights would simply
be stored flipped). See §2 and §3 of the handout.
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
    out = np.tensordot(windows, w[:, :, ::-1, ::-1], axes=([1, 4, 5], [1, 2, 3]))  # (N, H', W', F)
    out = out.transpose(0, 3, 1, 2) + b[None, :, None, None]
    return out, (x, w, (sh, sw), (ph, pw), (dh, dw), windows)
