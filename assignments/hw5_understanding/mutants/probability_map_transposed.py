"""Probability map transposed (columns along the rows)

pmap[i, j] is the probability with the patch at row i*sh and column j*sw: the first axis
follows the image's rows, so the map has shape (n_h, n_w) and can be drawn over the image
as it is. Filling it column by column gives its transpose. See §2 of the handout.
"""


def occlusion_probability_map(params, image, target, window, stride=1, fill=0.0):
    (wh, ww), (sh, sw) = _check_window(image, window, stride)
    _, h, w = image.shape
    n_h, n_w = (h - wh) // sh + 1, (w - ww) // sw + 1
    occluded = np.repeat(image[None].astype(np.float64), n_h * n_w, axis=0)
    for k in range(n_h * n_w):
        i, j = divmod(k, n_w)
        occluded[k, :, i * sh : i * sh + wh, j * sw : j * sw + ww] = fill
    return softmax(_logits(params, occluded))[:, target].reshape(n_h, n_w).T.copy()
