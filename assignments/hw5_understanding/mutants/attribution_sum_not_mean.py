"""Occlusion: the windows' drops are summed, not averaged

Where windows overlap, a pixel is covered by several of them; its attribution is the mean of
their logit drops, so divide each pixel's sum by the number of windows covering it. Without
the division, pixels in the overlaps look more important. See §3 of the handout.
"""


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), (sh, sw) = _check_captum_window(image, window, stride)
    c, h, w = image.shape
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float64), image.shape)
    n_h, n_w = -(-(h - wh) // sh) + 1, -(-(w - ww) // sw) + 1
    reference = _logits(params, image[None])[0, target]
    total = np.zeros((h, w))
    for i in range(n_h):
        for j in range(n_w):
            rows, cols = slice(i * sh, i * sh + wh), slice(j * sw, j * sw + ww)
            occluded = image.copy()
            occluded[:, rows, cols] = base[:, rows, cols]
            total[rows, cols] += reference - _logits(params, occluded[None])[0, target]
    return np.broadcast_to(total, (c, h, w)).copy()
