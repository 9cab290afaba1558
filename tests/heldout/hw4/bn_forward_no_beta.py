"""batchnorm2d_forward forgets to add beta"""
# ruff: noqa: F821, F811
# right:
_batchnorm2d_forward = batchnorm2d_forward


def batchnorm2d_forward(x, gamma, beta, *args, **kwargs):
    out, new_mean, new_var, cache = _batchnorm2d_forward(x, gamma, beta, *args, **kwargs)
    return out - np.asarray(beta)[None, :, None, None], new_mean, new_var, cache
