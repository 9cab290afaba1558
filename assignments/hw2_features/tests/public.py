"""hw2 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

NumPy only. The expected values are worked out by hand from the definitions in the handout:
a step edge, an impulse, a lone box, and the lecture's own parameter counts (the MFCC MLP,
the 1000-word sequence through a linear layer and through a 1D convolution).
"""

from __future__ import annotations

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, expect_tuple

suite = Suite(hidden=False)


def _error(fn, *args, **kwargs) -> tuple[str | None, str]:
    """Call ``fn``; return (exception type name or None, the last line of its message)."""
    try:
        fn(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001
        etype = getattr(exc, "etype", type(exc).__name__)
        if etype is None:  # the grader's "not implemented yet", a timeout or a crash
            raise
        lines = str(exc).strip().splitlines()
        return etype, lines[-1] if lines else ""
    return None, ""


def _plain_centers(got):
    """A list of (row, col) pairs of integers, with NumPy integers turned into ints (for the message)."""
    if isinstance(got, list) and all(
        isinstance(t, tuple) and len(t) == 2 and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in t)
        for t in got
    ):
        return [(int(r), int(c)) for r, c in got]
    return got


# ---------------------------------------------------------------- q1 edge_maps

# A vertical step edge: dark on the left (columns 0-2), bright on the right (columns 3-5).
STEP = np.zeros((4, 6))
STEP[:, 3:] = 1.0


@suite.check("q1", title="edge_maps of a vertical step edge (worked in the handout, §1)")
def step_edge(st, _):
    horizontal, vertical = expect_tuple("edge_maps", st.edge_maps(STEP), 2)
    # vertical[i, j] = (row weights) * (image[., j + 1] - image[., j - 1]); 4 inside, 3 on the
    # top and bottom rows (one row of padding zeros); the right border is a bright-to-dark edge
    expected_vertical = np.array(
        [[0, 0, 3, 3, 0, -3], [0, 0, 4, 4, 0, -4], [0, 0, 4, 4, 0, -4], [0, 0, 3, 3, 0, -3]], dtype=np.float64
    )
    # horizontal: 0 inside (each column is constant); the padding zeros above and below make
    # the top and bottom rows look like edges
    expected_horizontal = np.array(
        [[0, 0, -1, -3, -4, -3], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 1, 3, 4, 3]], dtype=np.float64
    )
    if isinstance(horizontal, np.ndarray) and isinstance(vertical, np.ndarray) and horizontal.shape == vertical.shape == (4, 6):
        if np.array_equal(horizontal, expected_vertical) and np.array_equal(vertical, expected_horizontal):
            raise CheckFailure("edge_maps(step edge): the two maps are swapped: return (horizontal, vertical)")
    assert_array("vertical", vertical, expected_vertical, context="edge_maps(vertical step edge)")
    assert_array("horizontal", horizontal, expected_horizontal, context="edge_maps(vertical step edge)")


# ---------------------------------------------------------------- q2 edge_magnitude

EDGE_H = np.array([[3.0, -1.0, 0.0], [-6.0, 0.0, 2.0]])
EDGE_V = np.array([[4.0, 0.0, 0.0], [8.0, -2.0, -2.0]])


@suite.check("q2", title="edge_magnitude, l1 and l2 by hand")
def magnitude_by_hand(st, _):
    l1 = np.array([[7.0, 1.0, 0.0], [14.0, 2.0, 4.0]])  # |H| + |V|
    l2 = np.array([[5.0, 1.0, 0.0], [10.0, 2.0, np.sqrt(8.0)]])  # sqrt(H^2 + V^2)
    assert_array("magnitude", st.edge_magnitude(EDGE_H, EDGE_V, norm="l1"), l1, context="edge_magnitude(norm='l1')")
    assert_array("magnitude", st.edge_magnitude(EDGE_H, EDGE_V, norm="l2"), l2, context="edge_magnitude(norm='l2')")
    assert_array("magnitude", st.edge_magnitude(EDGE_H, EDGE_V), l2, context="edge_magnitude() (default norm)")


@suite.check("q2", title="edge_magnitude rejects an unknown norm")
def magnitude_unknown_norm(st, _):
    etype, message = _error(st.edge_magnitude, EDGE_H, EDGE_V, norm="max")
    assert_value("the exception raised", etype, "ValueError", context="edge_magnitude(norm='max')")
    if "l1" not in message or "l2" not in message:
        raise CheckFailure(f"edge_magnitude(norm='max'): the ValueError should name the allowed values 'l1' and 'l2', got {message!r}")


# ---------------------------------------------------------------- q3 box_kernels


@suite.check("q3", title="box_kernels(5) are the lecture's kernels")
def lecture_kernels(st, _):
    h = np.array([[-1] * 5, [0] * 5, [0] * 5, [0] * 5, [1] * 5], dtype=np.float64)
    v = np.array([[1, 0, 0, 0, -1]] * 5, dtype=np.float64)
    assert_array("kernels", st.box_kernels(5), np.stack([h, v])[None], context="box_kernels(5)")


# ---------------------------------------------------------------- q4 box_score


@suite.check("q4", title="box_score of an impulse in the H channel is the flipped H kernel")
def score_impulse(st, _):
    edges = np.zeros((2, 7, 7))
    edges[0, 3, 3] = 1.0
    # correlation with an impulse gives the kernel mirrored: rows read from the bottom up
    expected = np.zeros((7, 7))
    expected[1, 1:6] = 1.0
    expected[5, 1:6] = -1.0
    assert_array("score", st.box_score(edges, 5), expected, context="box_score(impulse at (3, 3) in channel 0, size=5)")


@suite.check("q4", title="box_score at the center of a lone 5x5 box is 72 (§4)")
def score_lone_box(st, _):
    image = np.zeros((11, 11))
    image[3:8, 3:8] = 1.0
    horizontal, vertical = expect_tuple("edge_maps", st.edge_maps(image), 2)
    score = st.box_score(np.stack([horizontal, vertical]), 5)
    if not isinstance(score, np.ndarray) or score.shape != (11, 11):
        assert_array("score", score, np.zeros((11, 11)), context="box_score(edges of a lone box)")
    assert_value("score at the box's center (5, 5)", float(score[5, 5]), 72.0, context="box_score(edges of a 5x5 box at rows/cols 3-7)")
    best = tuple(int(i) for i in np.unravel_index(int(np.argmax(score)), score.shape))
    assert_value("the position of the highest score", best, (5, 5), context="box_score(edges of a 5x5 box at rows/cols 3-7)")


# ---------------------------------------------------------------- q5 find_boxes


@suite.check("q5", title="find_boxes finds a lone 5x5 box at its center, not a 3x3 box")
def lone_box(st, _):
    image = np.zeros((12, 20))
    image[3:8, 4:9] = 1.0  # 5x5 box: rows 3-7, columns 4-8, center (5, 6)
    image[6:9, 14:17] = 1.0  # 3x3 box: not a 5x5 box
    assert_value("centers", _plain_centers(st.find_boxes(image)), [(5, 6)], context="find_boxes(one 5x5 box, one 3x3 box)")


# ---------------------------------------------------------------- q6-q10 the lecture's parameter counts


@suite.check("q6", title="linear_param_count: the lecture's 1000x100 sequence through a linear layer")
def lecture_linear(st, _):
    # (1000 * 100) ** 2 weights + 1000 * 100 biases
    assert_value("count", st.linear_param_count(100_000, 100_000), 10_000_100_000, context="linear_param_count(100000, 100000)")
    assert_value("count", st.linear_param_count(100_000, 100_000, bias=False), 10_000_000_000, context="linear_param_count(100000, 100000, bias=False)")


@suite.check("q7", title="conv_param_count: the lecture's 1D convolution over 100-dim word vectors")
def lecture_conv1d(st, _):
    # 100 x 100 x 5 kernel weights + 100 biases
    assert_value("count", st.conv_param_count(100, 100, 5), 50_100, context="conv_param_count(100, 100, 5)")
    assert_value("count", st.conv_param_count(100, 100, 5, bias=False), 50_000, context="conv_param_count(100, 100, 5, bias=False)")
    assert_value("count", st.conv_param_count(3, 8, (3, 5)), 8 * 3 * 15 + 8, context="conv_param_count(3, 8, (3, 5))")


@suite.check("q8", title="mlp_param_count: the lecture's MFCC MLP (157,952 weights, ~160k)")
def lecture_mlp(st, _):
    sizes = [21 * 40, 128, 128, 128, 138]
    # 21*40*128 + 128*128 + 128*128 + 128*138 = 107520 + 16384 + 16384 + 17664
    assert_value("count", st.mlp_param_count(sizes, bias=False), 157_952, context=f"mlp_param_count({sizes}, bias=False)")
    # plus one bias per hidden and output unit: 128 * 3 + 138
    assert_value("count", st.mlp_param_count(sizes), 157_952 + 128 * 3 + 138, context=f"mlp_param_count({sizes})")


@suite.check("q9", title="cnn_output_shape by hand")
def output_shape_by_hand(st, _):
    # 32x32 -> (32 + 2*2 - 5)//1 + 1 = 32 -> (32 + 2*1 - 3)//2 + 1 = 16
    layers = [(8, 5, 1, 2), (16, 3, 2, 1)]
    assert_value("shape", st.cnn_output_shape((3, 32, 32), layers), (16, 16, 16), context=f"cnn_output_shape((3, 32, 32), {layers})")


@suite.check("q10", title="cnn_param_count by hand")
def param_count_by_hand(st, _):
    # conv: 2 * 1 * 3 * 3 + 2 = 20; output (2, 4, 4) flattened to 32; linear: 32 * 10 + 10 = 330
    layers = [(2, 3, 1, 0)]
    assert_value("count", st.cnn_param_count((1, 6, 6), layers, 10), 350, context=f"cnn_param_count((1, 6, 6), {layers}, 10)")
    assert_value("count", st.cnn_param_count((1, 6, 6), layers, 10, bias=False), 18 + 320, context=f"cnn_param_count((1, 6, 6), {layers}, 10, bias=False)")
