"""Correlation: constant channels give NaN rows

np.corrcoef divides by each channel's standard deviation, which is 0 for a dead (all-zero)
channel: its row and column become NaN (and the plot breaks). Detect constant channels
(max == min) and give them a row and a column of zeros. See §6 of the handout.
"""


def channel_correlation(activations):
    c = activations.shape[1]
    values = np.moveaxis(np.asarray(activations, dtype=np.float64), 1, 0).reshape(c, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.corrcoef(values)
