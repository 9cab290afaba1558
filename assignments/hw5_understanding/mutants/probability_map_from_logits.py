"""Probability map filled with logits instead of probabilities

The lecture's map records the probability of the true class, softmax(logits)[target], a
number in [0, 1] (0.5 and below: the network no longer believes it). The raw logit of the
target is not a probability. See §2 of the handout.
"""


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    (wh, ww), (sh, sw) = _check_window(image, window, stride)
    _, h, w = image.shape
    n_h, n_w = (h - wh) // sh + 1, (w - ww) // sw + 1
    occluded = np.repeat(image[None].astype(np.float64), n_h * n_w, axis=0)
    for k in range(n_h * n_w):
        i, j = divmod(k, n_w)
        occluded[k, :, i * sh : i * sh + wh, j * sw : j * sw + ww] = fill
    return _logits(params, occluded)[:, target].reshape(n_h, n_w)
