"""residual_block_backward averages the two paths' gradients instead of adding them"""
# ruff: noqa: F821, F811
# right: block_skip_gradient_forgotten
_residual_block_backward = residual_block_backward


def residual_block_backward(dout, cache):
    grads = _residual_block_backward(dout, cache)
    return (grads[0] / 2, *grads[1:])
