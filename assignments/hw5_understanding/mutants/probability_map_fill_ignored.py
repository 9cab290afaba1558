"""Probability map: the patch is always black (the fill value is ignored)

The patch sets every covered pixel, in every channel, to ``fill``: 0 (black) is only the
default. Hard-coding 0 gives the right map for black patches and a wrong one for the grey
(0.5) or white (1.0) patches of the notebook and the grader. See §2 of the handout.
"""


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    (wh, ww), (sh, sw) = _check_window(image, window, stride)
    _, h, w = image.shape
    n_h, n_w = (h - wh) // sh + 1, (w - ww) // sw + 1
    pmap = np.zeros((n_h, n_w))
    for i in range(n_h):
        for j in range(n_w):
            occluded = image.copy()
            occluded[:, i * sh : i * sh + wh, j * sw : j * sw + ww] = 0.0
            pmap[i, j] = softmax(_logits(params, occluded[None]))[0, target]
    return pmap
