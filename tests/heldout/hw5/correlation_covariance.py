"""channel_correlation returns the covariance, not the correlation"""
# ruff: noqa: F821, F811
# right:
_channel_correlation = channel_correlation


def channel_correlation(activations):
    a = np.asarray(activations, dtype=np.float64)
    flat = a.transpose(1, 0, 2, 3).reshape(a.shape[1], -1)
    centered = flat - flat.mean(axis=1, keepdims=True)
    return centered @ centered.T / flat.shape[1]
