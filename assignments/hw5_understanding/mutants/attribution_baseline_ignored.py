"""Occlusion attribution: occluded pixels are always set to 0 (the baseline is ignored)

An occluded pixel takes the baseline's value: the scalar, or for an array baseline the
array's value at that pixel. Setting it to 0 whatever the baseline is right only for the
default baseline 0.0. See §3 of the handout (Occluding).
"""


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), (sh, sw) = _check_captum_window(image, window, stride)
    c, h, w = image.shape
    if np.ndim(baseline) != 0 and np.shape(baseline) != image.shape:
        raise ValueError("baseline must be a scalar or shaped like the image")
    n_h, n_w = -(-(h - wh) // sh) + 1, -(-(w - ww) // sw) + 1
    reference = _logits(params, image[None])[0, target]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for i in range(n_h):
        for j in range(n_w):
            rows, cols = slice(i * sh, i * sh + wh), slice(j * sw, j * sw + ww)
            occluded = image.copy()
            occluded[:, rows, cols] = 0.0
            total[rows, cols] += reference - _logits(params, occluded[None])[0, target]
            count[rows, cols] += 1
    return np.broadcast_to(total / count, (c, h, w)).copy()
