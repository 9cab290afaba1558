"""Correlation: reshape(C, -1) mixes the images and the channels

activations is (N, C, H, W): reshaping it to (C, N*H*W) directly cuts the memory into C
pieces that each hold several channels of one image (it is only right when N = 1). Move the
channel axis first, np.moveaxis(activations, 1, 0), then reshape. See §6 of the handout.
"""


def channel_correlation(activations):
    c = activations.shape[1]
    values = np.asarray(activations, dtype=np.float64).reshape(c, -1)
    live = values.max(axis=1) != values.min(axis=1)
    corr = np.zeros((c, c))
    if live.any():
        corr[np.ix_(live, live)] = np.atleast_2d(np.corrcoef(values[live]))
    return corr
