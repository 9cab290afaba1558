"""correlate2d drops the last row and column of windows

A valid correlation of an H x W image with a kh x kw kernel has H - kh + 1 rows and
W - kw + 1 columns: the last window starts at row H - kh, so the loop must run over
range(H - kh + 1). See §1 and §2 of the handout.
"""


def correlate2d(image, kernel):
    h, w = image.shape
    kh, kw = kernel.shape
    out = np.zeros((h - kh, w - kw))
    for i in range(h - kh):
        for j in range(w - kw):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out
