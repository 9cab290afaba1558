"""saliency sums |gradient| over the colour channels instead of keeping them"""
# ruff: noqa: F821, F811
# right: saliency_max_over_channels
_saliency = saliency


def saliency(params, images, targets):
    s = _saliency(params, images, targets)
    return np.broadcast_to(s.sum(axis=1, keepdims=True), s.shape).copy()
