"""hw6 "Upsampling and the scanning MLP": resampling, transposed convolution, and the CNN as a
scanning MLP, in NumPy.

Conventions (the same as ``torch.nn.functional``):

- Layouts are channels first: x is (N, C, W) in 1D and (N, C, H, W) in 2D.
- Transposed convolutions take weights in PyTorch's *transposed* layout: (C_in, C_out, K) in 1D
  and (C_in, C_out, KH, KW) in 2D (input channels first, the reverse of a convolution's);
  bias is (C_out,).
- In 2D, ``factor``, ``stride``, ``padding``, ``output_padding`` and ``dilation`` are an int or
  an ``(h, w)`` pair (an int means the same for both axes).
- Every function takes float64 arrays and returns float64 arrays (integer counts for
  ``overlap_counts``), and never modifies its inputs.
- Output length of a transposed convolution along one axis (as PyTorch):
  ``out = (n - 1)*stride - 2*padding + dilation*(kernel_size - 1) + output_padding + 1``

Each ``*_forward`` returns ``(out, cache)``; ``cache`` is anything you like: the grader hands it
back, untouched, to the matching ``*_backward``.
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


# ---------------------------------------------------------------- resampling (q1-q3)


def upsample1d(x: np.ndarray, factor: int) -> np.ndarray:
    """Upsample by zero insertion: factor - 1 zeros between two samples, none after the last.

    Inputs:
    - x: (N, C, W)
    - factor: an int >= 1

    Returns:
    - out: (N, C, (W - 1)*factor + 1) with out[..., i*factor] = x[..., i] and zeros elsewhere
      (what F.conv_transpose1d computes with a one-tap unit kernel and stride=factor, channel
      by channel). factor = 1 returns a copy of x.
    """
    raise NotImplementedError("upsample1d is not implemented yet")


def upsample1d_backward(dout: np.ndarray, factor: int) -> np.ndarray:
    """Backward pass of upsample1d.

    Inputs:
    - dout: (N, C, (W - 1)*factor + 1), the upstream gradient dL/dout
    - factor: the factor of the forward pass

    Returns:
    - dx: (N, C, W), dx[..., i] = dout[..., i*factor] (the inserted zeros depend on no input)
    """
    raise NotImplementedError("upsample1d_backward is not implemented yet")


def downsample1d(x: np.ndarray, factor: int) -> np.ndarray:
    """Downsample by decimation: keep every factor-th sample, starting with the first.

    Inputs:
    - x: (N, C, W)
    - factor: an int >= 1

    Returns:
    - out: (N, C, ceil(W / factor)) with out[..., i] = x[..., i*factor] (a last sample closer
      than factor to the end is kept: W = 7, factor = 3 keeps samples 0, 3 and 6)
    """
    raise NotImplementedError("downsample1d is not implemented yet")


def downsample1d_backward(dout: np.ndarray, factor: int, width: int) -> np.ndarray:
    """Backward pass of downsample1d.

    Inputs:
    - dout: (N, C, ceil(width / factor)), the upstream gradient dL/dout
    - factor: the factor of the forward pass
    - width: W, the width of the forward pass's input (it cannot be recovered from dout)

    Returns:
    - dx: (N, C, width), dx[..., i*factor] = dout[..., i] and zeros elsewhere (dropped samples
      get no gradient)
    """
    raise NotImplementedError("downsample1d_backward is not implemented yet")


def upsample2d(x: np.ndarray, factor: int | tuple[int, int]) -> np.ndarray:
    """upsample1d on both spatial axes.

    Inputs:
    - x: (N, C, H, W)
    - factor: an int or an (fh, fw) pair of ints >= 1

    Returns:
    - out: (N, C, (H - 1)*fh + 1, (W - 1)*fw + 1) with out[..., i*fh, j*fw] = x[..., i, j]
      and zeros elsewhere
    """
    raise NotImplementedError("upsample2d is not implemented yet")


def upsample2d_backward(dout: np.ndarray, factor: int | tuple[int, int]) -> np.ndarray:
    """Backward pass of upsample2d.

    Inputs:
    - dout: (N, C, (H - 1)*fh + 1, (W - 1)*fw + 1), the upstream gradient
    - factor: the factor of the forward pass (an int or an (fh, fw) pair)

    Returns:
    - dx: (N, C, H, W), dx[..., i, j] = dout[..., i*fh, j*fw]
    """
    raise NotImplementedError("upsample2d_backward is not implemented yet")


def downsample2d(x: np.ndarray, factor: int | tuple[int, int]) -> np.ndarray:
    """downsample1d on both spatial axes.

    Inputs:
    - x: (N, C, H, W)
    - factor: an int or an (fh, fw) pair of ints >= 1

    Returns:
    - out: (N, C, ceil(H / fh), ceil(W / fw)) with out[..., i, j] = x[..., i*fh, j*fw]
    """
    raise NotImplementedError("downsample2d is not implemented yet")


def downsample2d_backward(dout: np.ndarray, factor: int | tuple[int, int], size: tuple[int, int]) -> np.ndarray:
    """Backward pass of downsample2d.

    Inputs:
    - dout: (N, C, ceil(H / fh), ceil(W / fw)), the upstream gradient
    - factor: the factor of the forward pass (an int or an (fh, fw) pair)
    - size: (H, W), the spatial size of the forward pass's input

    Returns:
    - dx: (N, C, H, W), dx[..., i*fh, j*fw] = dout[..., i, j] and zeros elsewhere
    """
    raise NotImplementedError("downsample2d_backward is not implemented yet")


# ---------------------------------------------------------------- transposed convolution (q4-q7)


def conv_transpose1d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    dilation: int = 1,
) -> tuple[np.ndarray, object]:
    """Forward pass of a 1D transposed convolution, as F.conv_transpose1d (groups = 1).

    Inputs:
    - x: (N, C_in, W)
    - w: (C_in, C_out, K), PyTorch's transposed layout (input channels first)
    - b: (C_out,)
    - stride, padding, output_padding, dilation: ints (stride, dilation >= 1; padding,
      output_padding >= 0)

    Returns a tuple of:
    - out: (N, C_out, W_out), W_out = (W - 1)*stride - 2*padding + dilation*(K - 1) + output_padding + 1,
      out[n, o, j] = b[o] + sum of x[n, c, i] * w[c, o, k] over every (c, i, k) with
      i*stride + k*dilation - padding = j
      (each input sample scatters its kernel into the output, stride apart; padding crops that
      many positions from both ends; output_padding adds positions at the end only)
    - cache: whatever conv_transpose1d_backward needs

    Raises ValueError if output_padding >= stride and output_padding >= dilation, or if
    W_out < 1 (PyTorch refuses both).
    """
    raise NotImplementedError("conv_transpose1d_forward is not implemented yet")


def conv_transpose1d_backward(dout: np.ndarray, cache: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a 1D transposed convolution.

    Inputs:
    - dout: (N, C_out, W_out), the upstream gradient dL/dout
    - cache: what conv_transpose1d_forward returned

    Returns a tuple of:
    - dx: (N, C_in, W), dx[n, c, i] = sum of dout[n, o, i*stride + k*dilation - padding] * w[c, o, k]
      over o and k (terms whose output position was cropped away contribute nothing)
    - dw: (C_in, C_out, K), summed over the batch, not averaged
    - db: (C_out,), dout summed over N and W_out
    """
    raise NotImplementedError("conv_transpose1d_backward is not implemented yet")


def conv_transpose2d_forward(
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
) -> tuple[np.ndarray, object]:
    """Forward pass of a 2D transposed convolution, as F.conv_transpose2d (groups = 1).

    Inputs:
    - x: (N, C_in, H, W)
    - w: (C_in, C_out, KH, KW), PyTorch's transposed layout (input channels first)
    - b: (C_out,)
    - stride, padding, output_padding, dilation: an int or an (h, w) pair each

    Returns a tuple of:
    - out: (N, C_out, H_out, W_out) with
      H_out = (H - 1)*sh - 2*ph + dh*(KH - 1) + oph + 1 (W_out likewise) and
      out[n, o, r, q] = b[o] + sum of x[n, c, i, j] * w[c, o, a, e] over every (c, i, j, a, e)
      with i*sh + a*dh - ph = r and j*sw + e*dw - pw = q
    - cache: whatever conv_transpose2d_backward needs

    Raises ValueError if, along either axis, output_padding >= stride and
    output_padding >= dilation, or if H_out < 1 or W_out < 1.
    """
    raise NotImplementedError("conv_transpose2d_forward is not implemented yet")


def conv_transpose2d_backward(dout: np.ndarray, cache: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of a 2D transposed convolution.

    Inputs:
    - dout: (N, C_out, H_out, W_out), the upstream gradient dL/dout
    - cache: what conv_transpose2d_forward returned

    Returns a tuple of:
    - dx: (N, C_in, H, W), dx[n, c, i, j] = sum over o, a, e of
      dout[n, o, i*sh + a*dh - ph, j*sw + e*dw - pw] * w[c, o, a, e] (cropped positions give 0):
      a strided, dilated convolution of dout with w, no flip
    - dw: (C_in, C_out, KH, KW), summed over the batch, not averaged
    - db: (C_out,), dout summed over N, H_out and W_out
    """
    raise NotImplementedError("conv_transpose2d_backward is not implemented yet")


def overlap_counts(kernel_size: int, stride: int, length: int) -> np.ndarray:
    """How many kernel taps of a stride-``stride`` transposed convolution land on each output position.

    The transposed convolution has padding 0 and dilation 1; its input starts at position 0 and
    is long enough to reach past the end (input sample i scatters its kernel onto output
    positions i*stride .. i*stride + kernel_size - 1). Then

        counts[j] = number of pairs (i, k), i >= 0, 0 <= k < kernel_size, with i*stride + k = j

    for j = 0 .. length - 1. With a constant input and a kernel of ones, the transposed
    convolution's output is exactly these counts: uneven counts are the checkerboard.

    Inputs:
    - kernel_size: K >= 1
    - stride: s >= 1
    - length: how many output positions to count, >= 1

    Returns:
    - counts: (length,) NumPy integer array. Example: overlap_counts(3, 2, 9) =
      [1, 1, 2, 1, 2, 1, 2, 1, 2] (K = 3 is not divisible by s = 2: uneven);
      overlap_counts(4, 2, 9) = [1, 1, 2, 2, 2, 2, 2, 2, 2] (even after the left border).
    """
    raise NotImplementedError("overlap_counts is not implemented yet")


# ---------------------------------------------------------------- the CNN as a scanning MLP (q9, q10)


def mlp_to_conv1d_simple(
    weights: list[np.ndarray], biases: list[np.ndarray], window: int, hop: int
) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """The conv1d chain that computes an MLP scanned over time.

    The MLP reads ``window`` consecutive frames of C features, flattened *time-major*
    (v[t*C + c] = x[c, start + t]: frame 0's C features first), applies
    h_k = ReLU(weights[k] @ h_{k-1} + biases[k]) with no ReLU after the last layer, and slides by
    ``hop`` frames. Running the returned layers with F.conv1d (ReLU between layers, none after
    the last) on x of shape (N, C, T) gives (N, out_last, floor((T - window) / hop) + 1), column
    s being the MLP's output on frames s*hop .. s*hop + window - 1.

    Inputs:
    - weights: L arrays, weights[k] of shape (out_k, in_k) as torch.nn.Linear, in_0 = window*C,
      in_k = out_{k-1}
    - biases: L arrays, biases[k] of shape (out_k,)
    - window: frames per MLP input, >= 1
    - hop: frames between two consecutive windows, >= 1

    Returns:
    - layers: a list of L tuples (w, b, stride), conv1d layouts: layer 0 has w (out_0, C, window)
      and stride hop; layer k >= 1 has w (out_k, out_{k-1}, 1) and stride 1; b is (out_k,);
      stride is a Python int
    """
    raise NotImplementedError("mlp_to_conv1d_simple is not implemented yet")


def mlp_to_conv1d_distributed(
    weights: list[np.ndarray], biases: list[np.ndarray], spans: list[int], hops: list[int]
) -> tuple[list[tuple[np.ndarray, np.ndarray, int]], int]:
    """The conv1d chain of a *distributed* scanning MLP: sub-networks shared within the window.

    Layer k of the MLP is made of G_k identical neuron groups of out_k neurons. A group of
    layer k reads spans[k] consecutive groups of layer k-1 (frames, for k = 0), and the next
    group starts hops[k] groups later. The last layer has one group (G_{L-1} = 1), and
    G_{k-1} = (G_k - 1)*hops[k] + spans[k]; G_{-1} is the window in frames. The MLP itself is
    given in full, as in mlp_to_conv1d_simple: weights[k] is (G_k*out_k, G_{k-1}*out_{k-1})
    (with out_{-1} = C), group g's neurons are rows g*out_k .. (g+1)*out_k - 1, its inputs are
    flattened group-major (time-major), every group has the same block of weights and bias,
    and the weights outside the blocks are 0. ReLU between layers, none after the last.

    Inputs:
    - weights: L arrays, the full MLP (see above)
    - biases: L arrays, biases[k] of shape (G_k*out_k,), group 0's bias repeated G_k times
    - spans: L ints >= 1, the kernel size of each layer
    - hops: L ints >= 1, the stride of each layer; the MLP scans the input with a hop of
      hops[0]*hops[1]*...*hops[L-1] frames (hops[L-1] does not change one window's MLP)

    Returns a tuple of:
    - layers: a list of L tuples (w, b, stride): w (out_k, out_{k-1}, spans[k]) and b (out_k,),
      one group's shared block, and stride = hops[k] (a Python int). Run with F.conv1d and ReLU
      between, they compute the MLP on every window, like the simple version's chain.
    - distinct_params: the number of distinct parameters, sum of w.size + b.size over the
      layers (a Python int); the full MLP (and the simple chain) has
      sum(weights[k].size + biases[k].size)
    """
    raise NotImplementedError("mlp_to_conv1d_distributed is not implemented yet")
