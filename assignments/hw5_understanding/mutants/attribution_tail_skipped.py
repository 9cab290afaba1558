"""Occlusion: the cropped tail windows are skipped

With ceil((D - w) / s) + 1 windows per dimension, the last one may run past the border and is
cropped; counting only the (D - w) // s + 1 windows that fit leaves the last rows or columns
uncovered (attribution 0 there) and changes the means next to them. It also accepts a stride
larger than the window, which Captum refuses. See §3 of the handout.
"""


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), (sh, sw) = _check_window(image, window, stride)
    c, h, w = image.shape
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float64), image.shape)
    reference = _logits(params, image[None])[0, target]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for r in range(0, h - wh + 1, sh):
        for q in range(0, w - ww + 1, sw):
            occluded = image.copy()
            occluded[:, r : r + wh, q : q + ww] = base[:, r : r + wh, q : q + ww]
            total[r : r + wh, q : q + ww] += reference - _logits(params, occluded[None])[0, target]
            count[r : r + wh, q : q + ww] += 1
    return np.broadcast_to(total / np.maximum(count, 1), (c, h, w)).copy()
