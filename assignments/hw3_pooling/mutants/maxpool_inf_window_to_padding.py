"""Max-pooling sends the gradient of an all -inf window to the padding

A window's maximum is never a padding position: PyTorch starts its scan at the window's first
real entry and moves only to a strictly larger value. np.argmax over a window padded with -inf
picks a padding cell when every real entry of the window is -inf as well, and that window's
gradient is lost instead of going to its first real entry. See §3 of the handout.
"""


def maxpool2d_forward(x, kernel_size, stride=None, padding=0):
    (kh, kw), (sh, sw), (ph, pw), (h_out, w_out) = _pool_setup(x.shape, kernel_size, stride, padding)
    n, c = x.shape[:2]
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), constant_values=-np.inf)
    windows = sliding_window_view(x_pad, (kh, kw), axis=(2, 3))[:, :, ::sh, ::sw]
    flat = windows.reshape(n, c, h_out, w_out, kh * kw)
    first_max = np.argmax(flat, axis=-1)
    out = np.take_along_axis(flat, first_max[..., None], axis=-1)[..., 0]
    return out, (x.shape, (kh, kw), (sh, sw), (ph, pw), first_max)
