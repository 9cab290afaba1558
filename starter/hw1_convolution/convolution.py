"""hw1 "Convolution from scratch": 1D/2D convolution layers in NumPy.

Conventions (the same as ``torch.nn.functional.conv1d`` / ``conv2d``):

- Layouts are channels first: x is (N, C_in, T) in 1D and (N, C_in, H, W) in 2D;
  weights are (C_out, C_in, K) and (C_out, C_in, KH, KW); bias is (C_out,).
- A "convolution layer" computes **cross-correlation** (no kernel flip), as every
  deep-learning library does. Only ``convolve2d`` flips the kernel.
- ``stride``, ``padding`` and ``dilation`` are ints; in 2D each may also be an
  ``(h, w)`` pair. Padding is zeros, added on *both* sides.
- Every function takes float64 arrays and returns float64 arrays, and never
  modifies its inputs.
- Output size along one dimension (the same formula as PyTorch):
  ``out = floor((n + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1``

Each ``*_forward`` returns ``(out, cache)``; ``cache`` is anything you like: the
grader hands it back, untouched, to the matching ``*_backward``.
"""

from __future__ import annotations

import numpy as np


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    """Return ``value`` as an ``(h, w)`` pair of ints (an int means the same for both)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and len(value) == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be an int or an (h, w) pair, got {value!r}")


def conv_output_size(
    n: int, kernel_size: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> int:
    """Length of a convolution's output along one dimension.

    Inputs:
    - n: input length (H, W or T), an int >= 1
    - kernel_size: kernel length K, an int >= 1
    - stride: step between two windows, an int >= 1
    - padding: zeros added at *each* end, an int >= 0
    - dilation: spacing between kernel taps, an int >= 1 (1 = no gaps)

    Returns:
    - out: floor((n + 2*padding - dilation*(kernel_size - 1) - 1) / stride) + 1

    Raises ValueError if an argument is out of range or if the output would be
    empty (out < 1), as PyTorch refuses such a layer.
    """
    raise NotImplementedError("conv_output_size is not implemented yet")


def correlate2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2D cross-correlation of one image with one kernel (no flip).

    Inputs:
    - image: (H, W)
    - kernel: (kh, kw), with kh <= H and kw <= W

    Returns:
    - out: (H - kh + 1, W - kw + 1) where
      out[i, j] = sum_{a, b} image[i + a, j + b] * kernel[a, b]

    The lecture's worked example: a 5x5 binary image and a 3x3 kernel give a
    3x3 output whose top-left entry is 4.
    """
    raise NotImplementedError("correlate2d is not implemented yet")


def convolve2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Valid 2D *true* convolution: the kernel is flipped in both axes first.

    Inputs:
    - image: (H, W)
    - kernel: (kh, kw), with kh <= H and kw <= W

    Returns:
    - out: (H - kh + 1, W - kw + 1) where
      out[i, j] = sum_{a, b} image[i + a, j + b] * kernel[kh - 1 - a, kw - 1 - b]
      (equal to ``scipy.signal.convolve2d(image, kernel, mode="valid")``)
    """
    raise NotImplementedError("convolve2d is not implemented yet")


def conv1d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> tuple[np.ndarray, object]:
    """Forward pass of a 1D convolution layer (cross-correlation), as F.conv1d.

    Inputs:
    - x: (N, C_in, T)
    - w: (C_out, C_in, K)
    - b: (C_out,)
    - stride, padding, dilation: ints (see the module docstring)

    Returns a tuple of:
    - out: (N, C_out, T_out), T_out = conv_output_size(T, K, stride, padding, dilation),
      out[n, f, t] = b[f] + sum_{c, k} x_pad[n, c, t*stride + k*dilation] * w[f, c, k]
      where x_pad is x with `padding` zeros at both ends of the time axis
    - cache: whatever conv1d_backward needs
    """
    raise NotImplementedError("conv1d_forward is not implemented yet")


def conv1d_backward(
    dout: np.ndarray, cache: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a 1D convolution layer.

    Inputs:
    - dout: (N, C_out, T_out), the upstream gradient dL/dout
    - cache: what conv1d_forward returned

    Returns a tuple of:
    - dx: (N, C_in, T), dL/dx (exactly 0 at inputs no kernel tap reads, as in
      conv2d_backward)
    - dw: (C_out, C_in, K), dL/dw (summed over the batch, not averaged)
    - db: (C_out,), dL/db = dout summed over N and T_out
    """
    raise NotImplementedError("conv1d_backward is not implemented yet")


def conv2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, object]:
    """Forward pass of a 2D convolution layer (cross-correlation), as F.conv2d.

    Inputs:
    - x: (N, C_in, H, W)
    - w: (C_out, C_in, KH, KW)
    - b: (C_out,)
    - stride, padding, dilation: an int or an (h, w) pair each

    Returns a tuple of:
    - out: (N, C_out, H_out, W_out) with
      H_out = conv_output_size(H, KH, stride_h, padding_h, dilation_h) (W likewise) and
      out[n, f, i, j] = b[f] + sum_{c, a, e} x_pad[n, c, i*sh + a*dh, j*sw + e*dw] * w[f, c, a, e]
      where x_pad is x with padding_h zero rows above and below, padding_w zero columns
      left and right
    - cache: whatever conv2d_backward needs
    """
    raise NotImplementedError("conv2d_forward is not implemented yet")


def conv2d_backward(
    dout: np.ndarray, cache: object
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a 2D convolution layer.

    Inputs:
    - dout: (N, C_out, H_out, W_out), the upstream gradient dL/dout
    - cache: what conv2d_forward returned

    Returns a tuple of:
    - dx: (N, C_in, H, W), dL/dx. Input positions that no kernel tap reads get a
      gradient of exactly 0: a gap between two windows (a stride longer than the
      dilated kernel's span dilation*(K - 1) + 1), the leftover tail after the last
      window, or, with dilation > 1, a position between the taps of every window
      around it.
    - dw: (C_out, C_in, KH, KW), dL/dw (summed over the batch, not averaged)
    - db: (C_out,), dL/db = dout summed over N, H_out and W_out
    """
    raise NotImplementedError("conv2d_backward is not implemented yet")
