"""hw3 "Pooling and heads": pooling layers, CNN heads and a whole small CNN's gradients in NumPy.

Conventions (the same as ``torch.nn.functional``):

- Layouts are channels first: feature maps are (N, C, H, W); a linear layer's weight is
  (out_features, in_features), as in ``torch.nn.Linear``.
- ``kernel_size``, ``stride`` and ``padding`` are an int or an ``(h, w)`` pair (an int means
  the same for both). ``stride=None`` means ``stride = kernel_size``, as in PyTorch.
- Pooling output size along one dimension (floor, as PyTorch's ``ceil_mode=False``):
  ``out = floor((n + 2*padding - kernel_size) / stride) + 1``
- Every function takes float64 arrays and returns float64 arrays, and never modifies its
  inputs.

Each ``*_forward`` returns ``(out, cache)``; ``cache`` is anything you like: the grader
hands it back, untouched, to the matching ``*_backward``.

``layers.py`` (shipped with the assignment, not graded) provides a working 2D convolution:
``conv2d_forward(x, w, b, stride=1, padding=0, dilation=1) -> (out, cache)`` and
``conv2d_backward(dout, cache) -> (dx, dw, db)``.
"""

from __future__ import annotations

import numpy as np
from layers import conv2d_backward, conv2d_forward  # noqa: F401 (for cnn_loss_and_grads)

PARAM_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """Return ``value`` as an ``(h, w)`` pair of ints (an int means the same for both)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")


# ---------------------------------------------------------------- §1 ReLU


def relu_forward(x: np.ndarray) -> tuple[np.ndarray, object]:
    """Forward pass of a ReLU: out = max(x, 0), elementwise.

    Inputs:
    - x: an array of any shape

    Returns a tuple of:
    - out: same shape as x
    - cache: whatever relu_backward needs
    """
    raise NotImplementedError("relu_forward is not implemented yet")


def relu_backward(dout: np.ndarray, cache: object) -> np.ndarray:
    """Backward pass of a ReLU.

    Inputs:
    - dout: upstream gradient dL/dout, same shape as x
    - cache: what relu_forward returned

    Returns:
    - dx: dL/dx = dout where x > 0, and 0 where x <= 0 (the gradient at x == 0 is 0,
      as in PyTorch)
    """
    raise NotImplementedError("relu_backward is not implemented yet")


# ---------------------------------------------------------------- §2-§4 pooling


def _pool_setup(
    x_shape: tuple[int, ...],
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None,
    padding: int | tuple[int, int],
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]:
    """Validate a pooling layer's settings and compute its output size (a helper; optional).

    Inputs:
    - x_shape: (N, C, H, W)
    - kernel_size, stride, padding: as maxpool2d_forward; stride=None means kernel_size

    Returns ((kh, kw), (sh, sw), (ph, pw), (H_out, W_out)) with
    H_out = floor((H + 2*ph - kh) / sh) + 1 (W likewise).

    Raises ValueError if kernel_size or stride < 1, if padding < 0, if the padding is more
    than half the kernel (2*ph > kh or 2*pw > kw, PyTorch's rule), or if the output would
    be empty (H_out < 1 or W_out < 1).
    """
    raise NotImplementedError("_pool_setup is not implemented yet")


def maxpool2d_forward(
    x: np.ndarray,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, object]:
    """Forward pass of 2D max-pooling, as F.max_pool2d (ceil_mode=False, dilation 1).

    Inputs:
    - x: (N, C, H, W)
    - kernel_size: an int or a (kh, kw) pair
    - stride: an int, an (sh, sw) pair, or None (then stride = kernel_size)
    - padding: an int or a (ph, pw) pair; the implicit padding is -inf (never the maximum)

    Returns a tuple of:
    - out: (N, C, H_out, W_out), H_out = floor((H + 2*ph - kh) / sh) + 1 (W likewise),
      out[n, c, i, j] = max over a in 0..kh-1, e in 0..kw-1 of x_pad[n, c, i*sh + a, j*sw + e]
    - cache: whatever maxpool2d_backward needs (e.g. the position of each window's maximum,
      chosen by the tie rule of maxpool2d_backward)

    NaN inputs are out of scope (no test uses them).

    Raises ValueError if 2*ph > kh or 2*pw > kw (padding more than half the kernel, as
    PyTorch), if kernel_size or stride < 1, padding < 0, or the output would be empty.
    """
    raise NotImplementedError("maxpool2d_forward is not implemented yet")


def maxpool2d_backward(dout: np.ndarray, cache: object) -> np.ndarray:
    """Backward pass of 2D max-pooling.

    Inputs:
    - dout: (N, C, H_out, W_out), the upstream gradient dL/dout
    - cache: what maxpool2d_forward returned

    Returns:
    - dx: (N, C, H, W). Each window sends its dout entry to the position of its maximum;
      when several entries tie for the maximum, all of it goes to the FIRST one in row-major
      order of the window (as PyTorch). Overlapping windows accumulate (+=); positions that
      are never a window's maximum get 0.

    The tie rule is PyTorch's scan: the candidate starts at the window's first REAL entry
    (the first one in row-major order that is not padding) with value -inf, and moves only
    to a strictly larger value (>). So the maximum is never a padding position, even in a
    window whose real entries are all -inf (the gradient then goes to its first real entry).
    """
    raise NotImplementedError("maxpool2d_backward is not implemented yet")


def avgpool2d_forward(
    x: np.ndarray,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> tuple[np.ndarray, object]:
    """Forward pass of 2D average pooling, as F.avg_pool2d (its defaults: count_include_pad=True).

    Inputs:
    - x: (N, C, H, W)
    - kernel_size, stride, padding: as maxpool2d_forward (stride=None means kernel_size);
      the implicit padding is zeros, and those zeros COUNT in the average

    Returns a tuple of:
    - out: (N, C, H_out, W_out) (the same size as max-pooling),
      out[n, c, i, j] = (1 / (kh*kw)) * sum over a, e of x_pad[n, c, i*sh + a, j*sw + e]
    - cache: whatever avgpool2d_backward needs

    Raises ValueError in the same cases as maxpool2d_forward.
    """
    raise NotImplementedError("avgpool2d_forward is not implemented yet")


def avgpool2d_backward(dout: np.ndarray, cache: object) -> np.ndarray:
    """Backward pass of 2D average pooling.

    Inputs:
    - dout: (N, C, H_out, W_out), the upstream gradient dL/dout
    - cache: what avgpool2d_forward returned

    Returns:
    - dx: (N, C, H, W). Each window spreads dout[n, c, i, j] / (kh*kw) over all its kh*kw
      positions (padding included: that share is dropped with the padding); overlapping
      windows accumulate.
    """
    raise NotImplementedError("avgpool2d_backward is not implemented yet")


# ---------------------------------------------------------------- §5 heads


def global_avg_pool_forward(x: np.ndarray) -> tuple[np.ndarray, object]:
    """Forward pass of global average pooling: one number per channel.

    Inputs:
    - x: (N, C, H, W)

    Returns a tuple of:
    - out: (N, C), out[n, c] = mean of x[n, c] over its H*W positions
      (= F.adaptive_avg_pool2d(x, 1).flatten(1))
    - cache: whatever global_avg_pool_backward needs
    """
    raise NotImplementedError("global_avg_pool_forward is not implemented yet")


def global_avg_pool_backward(dout: np.ndarray, cache: object) -> np.ndarray:
    """Backward pass of global average pooling.

    Inputs:
    - dout: (N, C), the upstream gradient dL/dout
    - cache: what global_avg_pool_forward returned

    Returns:
    - dx: (N, C, H, W), dx[n, c, h, w] = dout[n, c] / (H*W)
    """
    raise NotImplementedError("global_avg_pool_backward is not implemented yet")


def flatten_forward(x: np.ndarray) -> tuple[np.ndarray, object]:
    """Flatten every sample into a vector, as x.flatten(1) / torch.nn.Flatten.

    Inputs:
    - x: (N, d1, d2, ...), at least 2 dimensions; for a feature map (N, C, H, W)

    Returns a tuple of:
    - out: (N, d1*d2*...), each row the sample's entries in C order (the last axis fastest):
      for (N, C, H, W), out[n, c*H*W + h*W + w] = x[n, c, h, w]
    - cache: whatever flatten_backward needs
    """
    raise NotImplementedError("flatten_forward is not implemented yet")


def flatten_backward(dout: np.ndarray, cache: object) -> np.ndarray:
    """Backward pass of flatten.

    Inputs:
    - dout: (N, d1*d2*...), the upstream gradient dL/dout
    - cache: what flatten_forward returned

    Returns:
    - dx: (N, d1, d2, ...), dout with the shape of x (the inverse of the forward's reshape)
    """
    raise NotImplementedError("flatten_backward is not implemented yet")


def linear_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, object]:
    """Forward pass of a fully-connected layer, as F.linear.

    Inputs:
    - x: (N, in_features)
    - w: (out_features, in_features), as torch.nn.Linear.weight (NOT (in, out))
    - b: (out_features,)

    Returns a tuple of:
    - out: (N, out_features), out[n, j] = b[j] + sum_i x[n, i] * w[j, i]
    - cache: whatever linear_backward needs
    """
    raise NotImplementedError("linear_forward is not implemented yet")


def linear_backward(dout: np.ndarray, cache: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a fully-connected layer.

    Inputs:
    - dout: (N, out_features), the upstream gradient dL/dout
    - cache: what linear_forward returned

    Returns a tuple of:
    - dx: (N, in_features), dx[n, i] = sum_j dout[n, j] * w[j, i]
    - dw: (out_features, in_features), dw[j, i] = sum_n dout[n, j] * x[n, i] (summed over the
      batch, not averaged)
    - db: (out_features,), db[j] = sum_n dout[n, j]
    """
    raise NotImplementedError("linear_backward is not implemented yet")


# ---------------------------------------------------------------- §6 the loss


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Softmax cross-entropy loss, averaged over the batch, and its gradient (as F.cross_entropy).

    Inputs:
    - logits: (N, K), float64 class scores (any size, e.g. +-1000)
    - labels: (N,), int64 class indices in 0..K-1

    Returns a tuple of:
    - loss: a float (a Python float or a NumPy float64),
      loss = (1/N) * sum_n [ log(sum_k exp(logits[n, k])) - logits[n, labels[n]] ]
    - dlogits: (N, K), dL/dlogits = (softmax(logits) - onehot(labels)) / N

    Must be numerically stable: subtract each row's maximum before exponentiating, so that
    logits of +-1000 give finite results.
    """
    raise NotImplementedError("softmax_cross_entropy is not implemented yet")


# ---------------------------------------------------------------- §7 a whole small CNN


def cnn_loss_and_grads(
    x: np.ndarray, y: np.ndarray, params: dict[str, np.ndarray], head: str = "gap"
) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and gradients of a small CNN classifier, end to end.

    The network (every conv is 3x3 with padding 1 and stride 1, from layers.py):

        x (N, C_in, H, W)
        -> conv(W1, b1) -> ReLU         (N, C1, H, W)
        -> maxpool 2 (kernel 2, stride 2) (N, C1, H2, W2), H2 = H // 2, W2 = W // 2
        -> conv(W2, b2) -> ReLU         (N, C2, H2, W2)
        -> head:
             "gap": global average pooling (N, C2)            -> linear(W3, b3)
             "fc":  flatten in (C, H, W) order (N, C2*H2*W2)  -> linear(W3, b3)
        -> logits (N, K) -> softmax cross-entropy with y (mean over the batch)

    Inputs:
    - x: (N, C_in, H, W) float64 images
    - y: (N,) int64 labels in 0..K-1
    - params: a dict with keys W1, b1, W2, b2, W3, b3:
      W1 (C1, C_in, 3, 3), b1 (C1,), W2 (C2, C1, 3, 3), b2 (C2,),
      W3 (K, C2) for head "gap" or (K, C2*H2*W2) for head "fc", b3 (K,)
    - head: "gap" or "fc"

    Returns a tuple of:
    - loss: a float, the mean softmax cross-entropy (as softmax_cross_entropy)
    - grads: a dict with the same keys as params; grads[k] = dL/dparams[k], with the same
      shape as params[k]

    Raises ValueError for another head.
    """
    raise NotImplementedError("cnn_loss_and_grads is not implemented yet")
