"""Occlusion: last window shifted back inside the image instead of cropped

Captum starts window k at k*s for k = 0 .. ceil((D - w) / s): when s does not divide D - w,
the last window starts at a multiple of s and runs past the border, where it is cropped.
Moving it back to start at D - w occludes other pixels and changes every mean it takes part
in. See §3 of the handout (the 25-pixel example).
"""


def occlusion_attribution(params, image, target, window, stride=1, baseline=0.0):
    (wh, ww), (sh, sw) = _check_captum_window(image, window, stride)
    c, h, w = image.shape
    base = np.broadcast_to(np.asarray(baseline, dtype=np.float64), image.shape)
    starts_h = sorted({min(k * sh, h - wh) for k in range(-(-(h - wh) // sh) + 1)})
    starts_w = sorted({min(k * sw, w - ww) for k in range(-(-(w - ww) // sw) + 1)})
    reference = _logits(params, image[None])[0, target]
    total, count = np.zeros((h, w)), np.zeros((h, w))
    for r in starts_h:
        for q in starts_w:
            occluded = image.copy()
            occluded[:, r : r + wh, q : q + ww] = base[:, r : r + wh, q : q + ww]
            total[r : r + wh, q : q + ww] += reference - _logits(params, occluded[None])[0, target]
            count[r : r + wh, q : q + ww] += 1
    return np.broadcast_to(total / count, (c, h, w)).copy()
