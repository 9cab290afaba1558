"""hw1 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

NumPy only. The expected values are worked out by hand from the definitions in the handout
(the lecture's worked example, impulse images, the output-size formula, two small gradients);
backward passes are also checked against finite differences of your own forward pass. Floats
are always compared within a tolerance, never exactly.
"""

from __future__ import annotations

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, check_layer_gradients, expect_tuple, raised

suite = Suite(hidden=False)

# The lecture's worked example: a 5x5 binary image and a 3x3 kernel ("Convolved Feature").
LECTURE_IMAGE = np.array(
    [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]], dtype=np.float64
)
LECTURE_KERNEL = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.float64)


@suite.check("q1", title="conv_output_size, the handout's examples")
def output_size_examples(st, _):
    # floor((n + 2p - d(k-1) - 1) / s) + 1, worked by hand
    examples = [((5, 3), {}, 3), ((7, 3), {"stride": 2, "padding": 1}, 4), ((10, 3), {"dilation": 2}, 6), ((8, 3), {"stride": 3}, 2)]
    for args, kwargs, expected in examples:
        assert_value("the output size", st.conv_output_size(*args, **kwargs), expected, context=f"conv_output_size{args} {kwargs}")


@suite.check("q1", title="conv_output_size raises ValueError (empty output, argument out of range)")
def output_size_errors(st, _):
    # §1: the kernel longer than the input (3 < 5), the dilated kernel spanning 3*(3 - 1) + 1 = 7 > 5
    # positions, then a stride of 0 and a negative padding: PyTorch refuses all four layers
    examples = [((3, 5), {}), ((5, 3), {"dilation": 3}), ((5, 3), {"stride": 0}), ((5, 3), {"padding": -1})]
    for args, kwargs in examples:
        context = f"conv_output_size{args} {kwargs}"
        name = raised(st.conv_output_size, *args, **kwargs)
        if name is None:
            raise CheckFailure(f"{context}: returned a size, expected a ValueError (see §1, Errors)")
        assert_value("the exception raised", name, "ValueError", context=context)


@suite.check("q2", title="correlate2d, the lecture's worked example")
def lecture_example(st, _):
    out = st.correlate2d(LECTURE_IMAGE, LECTURE_KERNEL)
    expected = np.array([[4, 3, 4], [2, 4, 3], [2, 3, 4]], dtype=np.float64)
    # compared within the usual tolerance: an FFT-based correlation gives 3.999999999999999
    if isinstance(out, np.ndarray) and out.shape == (3, 3) and out.dtype.kind in "fiu" and not np.isclose(out[0, 0], 4.0, rtol=1e-7, atol=1e-9):
        raise CheckFailure(f"correlate2d(lecture example): the first output is {out[0, 0]!r}, the lecture says 4")
    assert_array("out", out, expected, context="correlate2d(lecture example)")


def _impulse_image() -> np.ndarray:
    image = np.zeros((5, 6))
    image[2, 3] = 1.0
    return image


ASYMMETRIC_KERNEL = np.arange(1.0, 10.0).reshape(3, 3)


@suite.check("q2", title="correlate2d of an impulse is the flipped kernel")
def correlate_impulse(st, _):
    out = st.correlate2d(_impulse_image(), ASYMMETRIC_KERNEL)
    expected = np.zeros((3, 4))
    expected[:, 1:4] = ASYMMETRIC_KERNEL[::-1, ::-1]
    assert_array("out", out, expected, context="correlate2d(impulse at (2, 3), 3x3 kernel 1..9)")


@suite.check("q3", title="convolve2d of an impulse is the kernel itself")
def convolve_impulse(st, _):
    out = st.convolve2d(_impulse_image(), ASYMMETRIC_KERNEL)
    expected = np.zeros((3, 4))
    expected[:, 1:4] = ASYMMETRIC_KERNEL
    assert_array("out", out, expected, context="convolve2d(impulse at (2, 3), 3x3 kernel 1..9)")


@suite.check("q4", title="conv1d_forward with a one-tap kernel copies the input")
def conv1d_identity(st, _):
    x = np.arange(2 * 2 * 6, dtype=np.float64).reshape(2, 2, 6)
    w = np.zeros((2, 2, 3))
    w[0, 0, 1] = 1.0  # output channel 0 = input channel 0, shifted by the centre tap
    w[1, 1, 1] = 2.0  # output channel 1 = twice input channel 1
    b = np.array([0.5, -1.0])
    out, _cache = expect_tuple("conv1d_forward", st.conv1d_forward(x, w, b, padding=1), 2)
    expected = np.stack([x[:, 0] + 0.5, 2 * x[:, 1] - 1.0], axis=1)
    assert_array("out", out, expected, context="conv1d_forward(x (2, 2, 6), centre-tap kernel, padding=1)")


@suite.check("q6", title="conv2d_forward with a centre-tap kernel copies the input")
def conv2d_identity(st, _):
    x = np.arange(1 * 2 * 4 * 5, dtype=np.float64).reshape(1, 2, 4, 5)
    w = np.zeros((1, 2, 3, 3))
    w[0, 1, 1, 1] = 1.0  # picks input channel 1
    out, _cache = expect_tuple("conv2d_forward", st.conv2d_forward(x, w, np.array([3.0]), padding=1), 2)
    assert_array("out", out, x[:, 1:2] + 3.0, context="conv2d_forward(x (1, 2, 4, 5), centre tap, padding=1)")


@suite.check("q6", title="conv2d_forward output shapes (stride, padding, dilation)")
def conv2d_shapes(st, _):
    x = np.ones((2, 3, 9, 7))
    w = np.ones((4, 3, 3, 2))
    for kwargs, shape in [({}, (2, 4, 7, 6)), ({"stride": 2, "padding": 1}, (2, 4, 5, 4)), ({"stride": (1, 2), "dilation": (3, 1)}, (2, 4, 3, 3))]:
        out, _cache = expect_tuple("conv2d_forward", st.conv2d_forward(x, w, np.zeros(4), **kwargs), 2)
        assert_value("the output shape", tuple(np.shape(out)), shape, context=f"conv2d_forward(x (2, 3, 9, 7), w (4, 3, 3, 2), {kwargs})")


def _gradient_check(st, forward: str, backward: str, x_shape, w_shape, kwargs) -> None:
    check_layer_gradients(st, forward, backward, x_shape, w_shape, w_shape[0], kwargs)


@suite.check("q5", title="conv1d_backward matches finite differences")
def conv1d_gradcheck(st, _):
    _gradient_check(st, "conv1d_forward", "conv1d_backward", (2, 2, 7), (3, 2, 3), {"stride": 2, "padding": 1})


@suite.check("q5", title="conv1d_backward gives 0 to inputs no window reads (the example of §4)")
def conv1d_uncovered(st, _):
    # T = 6, K = 2, stride 3: windows [0, 1] and [3, 4]. With w = (2, -1) and dout = (1, 10), worked by hand:
    # dx = (1*2, 1*(-1), 0, 10*2, 10*(-1), 0), dw = (1*x0 + 10*x3, 1*x1 + 10*x4) = (41, 52), db = 1 + 10
    x = np.arange(1.0, 7.0).reshape(1, 1, 6)
    w = np.array([[[2.0, -1.0]]])
    _out, cache = expect_tuple("conv1d_forward", st.conv1d_forward(x, w, np.array([0.5]), stride=3), 2)
    grads = expect_tuple("conv1d_backward", st.conv1d_backward(np.array([[[1.0, 10.0]]]), cache), 3)
    expected = (np.array([[[2.0, -1.0, 0.0, 20.0, -10.0, 0.0]]]), np.array([[[41.0, 52.0]]]), np.array([11.0]))
    for name, got, want in zip(("dx", "dw", "db"), grads, expected, strict=True):
        assert_array(name, got, want, context="conv1d_backward(x = 1..6, w = (2, -1), stride=3, dout = (1, 10))")


@suite.check("q7", title="conv2d_backward matches finite differences")
def conv2d_gradcheck(st, _):
    _gradient_check(st, "conv2d_forward", "conv2d_backward", (2, 2, 5, 4), (3, 2, 2, 3), {"stride": (2, 1), "padding": (1, 0)})


@suite.check("q7", title="conv2d_backward sends the gradient back to the dilated taps")
def conv2d_dilated_taps(st, _):
    # a 3x3 input, a 2x2 kernel with dilation 2: one output, reading the four corners
    # out = 1*x[0,0] + 2*x[0,2] + 3*x[2,0] + 4*x[2,2]; with dout = 2 the corners of dx get 2*w, dw = 2*corners
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    _out, cache = expect_tuple("conv2d_forward", st.conv2d_forward(x, w, np.zeros(1), dilation=2), 2)
    grads = expect_tuple("conv2d_backward", st.conv2d_backward(np.full((1, 1, 1, 1), 2.0), cache), 3)
    dx = np.array([[[[2.0, 0.0, 4.0], [0.0, 0.0, 0.0], [6.0, 0.0, 8.0]]]])
    expected = (dx, np.array([[[[2.0, 6.0], [14.0, 18.0]]]]), np.array([2.0]))
    for name, got, want in zip(("dx", "dw", "db"), grads, expected, strict=True):
        assert_array(name, got, want, context="conv2d_backward(x = 1..9 as 3x3, w = [[1, 2], [3, 4]], dilation=2, dout = 2)")
