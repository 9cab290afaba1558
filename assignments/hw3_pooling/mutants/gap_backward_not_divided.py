"""Global average pooling backward not divided by H*W

Each of the H*W entries of a channel contributes 1/(H*W) of the mean, so each receives
dout[n, c] / (H*W), not dout[n, c]. See §5 of the handout.
"""

# gap_sum_instead_of_mean has the same backward: when both match, name this (smaller) bug
# priority: 1


def global_avg_pool_backward(dout, cache):
    return np.broadcast_to(dout[:, :, None, None], cache).copy()
