"""Occlusion hides only the first channel

The window is (C, h, w): it covers every channel of the image, so an RGB patch is set to the
baseline in red, green and blue. Occluding channel 0 alone leaves the green and blue pixels
visible to the network. See §3 of the handout.
"""


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), (sh, sw) = _check_captum_window(image, window, stride)
    c, h, w = image.shape
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float64), image.shape)
    n_h, n_w = -(-(h - wh) // sh) + 1, -(-(w - ww) // sw) + 1
    reference = _logits(params, image[None])[0, target]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for i in range(n_h):
        for j in range(n_w):
            rows, cols = slice(i * sh, i * sh + wh), slice(j * sw, j * sw + ww)
            occluded = image.copy()
            occluded[0, rows, cols] = base[0, rows, cols]
            total[rows, cols] += reference - _logits(params, occluded[None])[0, target]
            count[rows, cols] += 1
    return np.broadcast_to(total / count, (c, h, w)).copy()
