"""Occlusion attribution computed on probabilities instead of logits

Captum's Occlusion (and this assignment) measures the drop of the target *logit*. A confident
network's probability sits at 0.9999 and barely moves when a patch hides an eye, so
probability drops are tiny and say little; the logit still moves. See §3 of the handout
(probability map vs attribution).
"""


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), (sh, sw) = _check_captum_window(image, window, stride)
    c, h, w = image.shape
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float64), image.shape)
    n_h, n_w = -(-(h - wh) // sh) + 1, -(-(w - ww) // sw) + 1
    reference = softmax(_logits(params, image[None]))[0, target]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for i in range(n_h):
        for j in range(n_w):
            rows, cols = slice(i * sh, i * sh + wh), slice(j * sw, j * sw + ww)
            occluded = image.copy()
            occluded[:, rows, cols] = base[:, rows, cols]
            total[rows, cols] += reference - softmax(_logits(params, occluded[None]))[0, target]
            count[rows, cols] += 1
    return np.broadcast_to(total / count, (c, h, w)).copy()
