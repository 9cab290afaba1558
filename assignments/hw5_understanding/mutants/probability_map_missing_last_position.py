"""Probability map misses the last patch position

The patch positions are 0, s, 2s, ... up to and including D - w: there are (D - w) // s + 1 of
them per dimension. range(0, D - w, s) stops one short whenever s divides D - w (a full-size
window then gives an empty map instead of one value). See §2 of the handout.
"""


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    (wh, ww), (sh, sw) = _pair(window, "window"), _pair(stride, "stride")
    _, h, w = image.shape
    rows, cols = range(0, h - wh, sh), range(0, w - ww, sw)
    pmap = np.zeros((len(rows), len(cols)))
    for i, r in enumerate(rows):
        for j, q in enumerate(cols):
            occluded = image.copy()
            occluded[:, r : r + wh, q : q + ww] = fill
            pmap[i, j] = softmax(cnn_forward(params, occluded[None])[0])[0, target]
    return pmap
