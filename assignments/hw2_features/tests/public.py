"""hw2 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

NumPy only. The expected values are worked out by hand from the definitions in the handout:
a step edge, an impulse, a lone box, boxes touching corner to corner, rectangles whose ends tie
or form a suppression chain, and the lecture's own parameter counts (the MFCC MLP, the
1000-word sequence through a linear layer and through a 1D convolution). Plain values go
through checklib's typed ``assert_value``: where the contract says int, the expected values
are ints, and a float (``16.0``) or a 0-d array fails.
"""

from __future__ import annotations

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, expect_tuple, raised_with_message

suite = Suite(hidden=False)


def _is_centers(got) -> bool:
    """Is ``got`` shaped like find_boxes' answer: a list of (row, col) tuples of integers?"""
    return isinstance(got, list) and all(
        isinstance(t, tuple) and len(t) == 2 and all(isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in t)
        for t in got
    )


def _assert_scores(st, image: np.ndarray, expected: dict[tuple[int, int], float], context: str) -> None:
    """find_boxes builds on edge_maps and box_score: check the scores this check's hand-worked
    answer relies on first, so that a wrong edge map is reported as such (fix q1-q4 first)."""
    blame = f"{context}: find_boxes uses your edge_maps and box_score, and"
    scores = "box_score(np.stack(edge_maps(image)), 5)"
    try:
        score = st.box_score(np.stack(expect_tuple("edge_maps", st.edge_maps(image), 2)), 5)
    except (CheckFailure, NotImplementedError):
        raise
    except Exception as exc:  # noqa: BLE001
        raise CheckFailure(f"{blame} {scores} fails ({type(exc).__name__}: {exc}): fix q1-q4 first") from None
    if not isinstance(score, np.ndarray) or score.shape != image.shape:
        raise CheckFailure(f"{blame} {scores} is not a {image.shape} array: fix q1-q4 first")
    for where, want in expected.items():
        value, what = (score.max(), f"the highest score of {scores}") if where == "max" else (score[where], f"{scores}[{where[0]}, {where[1]}]")
        if not np.isclose(value, want, rtol=1e-7, atol=1e-9):
            raise CheckFailure(f"{blame} {what} is {float(value):g}, expected {want:g} (§3): fix q1-q4 first")


def _assert_centers(got, expected: list[tuple[int, int]], context: str) -> None:
    """The typed comparison of checklib (ints, tuples, a list); the whole list in the message when
    only the values differ."""
    try:
        assert_value("centers", got, expected, context=context)
    except CheckFailure:
        if _is_centers(got):  # right types, wrong centers: show them all
            shown = [(int(r), int(c)) for r, c in got]
            raise CheckFailure(f"{context}: centers is {shown}, expected {expected}") from None
        raise


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
    maps = (horizontal, vertical)
    if all(isinstance(m, np.ndarray) and m.shape == (4, 6) and m.dtype.kind in "biuf" for m in maps):
        if np.allclose(horizontal, expected_vertical) and np.allclose(vertical, expected_horizontal):
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
    etype, message = raised_with_message(st.edge_magnitude, EDGE_H, EDGE_V, norm="max")
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


@suite.check("q4", title="box_score at the center of a lone 5x5 box is 72 (§3)")
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
    _assert_scores(st, image, {(5, 6): 72, (7, 15): 48}, context="find_boxes(one 5x5 box, one 3x3 box)")
    _assert_centers(st.find_boxes(image), [(5, 6)], context="find_boxes(one 5x5 box, one 3x3 box)")


@suite.check("q5", title="find_boxes: the threshold is a fixed fraction of 72, a score equal to it counts (§4)")
def threshold_of_the_ideal(st, _):
    # a lone box scores exactly the ideal 72 at its center: 72 >= 1.0 * 72, so it is a candidate
    image = np.zeros((11, 11))
    image[3:8, 3:8] = 1.0
    _assert_scores(st, image, {(5, 5): 72}, context="find_boxes(lone 5x5 box, threshold=1.0)")
    _assert_centers(st.find_boxes(image, threshold=1.0), [(5, 5)], context="find_boxes(lone 5x5 box, threshold=1.0)")
    # no 5x5 box: a 4x4 box (60), a 3x3 box (48), a 7x7 box (38) and two lines all stay below
    # 0.9 * 72 = 64.8, whatever the best score of this image is
    image = np.zeros((20, 34))
    image[2:6, 2:6] = 1.0
    image[3:6, 10:13] = 1.0
    image[2:9, 17:24] = 1.0
    image[13, 2:14] = 1.0
    image[11:18, 29] = 1.0
    _assert_scores(st, image, {"max": 60}, context="find_boxes(4x4, 3x3 and 7x7 boxes and two lines, no 5x5 box)")
    _assert_centers(st.find_boxes(image), [], context="find_boxes(4x4, 3x3 and 7x7 boxes and two lines, no 5x5 box)")


@suite.check("q5", title="find_boxes keeps two boxes that touch corner to corner (centers 5 apart, §4)")
def touching_boxes(st, _):
    # boxes at rows/cols 2-6 and 7-11: their centers (4, 4) and (9, 9) are 5 apart, so their
    # windows touch without overlapping: not neighbours. The shared corner costs each center 2
    # (70 each, still >= 64.8): both are kept.
    image = np.zeros((16, 16))
    image[2:7, 2:7] = 1.0
    image[7:12, 7:12] = 1.0
    _assert_scores(st, image, {(4, 4): 70, (9, 9): 70}, context="find_boxes(two 5x5 boxes touching corner to corner)")
    _assert_centers(st.find_boxes(image), [(4, 4), (9, 9)], context="find_boxes(two 5x5 boxes touching corner to corner)")


@suite.check("q5", title="find_boxes breaks a score tie in row-major order (§4)")
def tie_row_major(st, _):
    # each end of a 5x9 (9x5) rectangle scores 56 >= 0.75 * 72 = 54, nothing else does. The two
    # ends are 4 apart: neighbours with equal scores, and the first in row-major order wins,
    # the left end of the wide rectangle and the top end of the tall one.
    image = np.zeros((20, 30))
    image[2:7, 2:11] = 1.0  # 5x9: ends centered at (4, 4) and (4, 8)
    image[8:17, 20:25] = 1.0  # 9x5: ends centered at (10, 22) and (14, 22)
    context = "find_boxes(a 5x9 and a 9x5 rectangle, threshold=0.75)"
    _assert_scores(st, image, {(4, 4): 56, (4, 8): 56, (10, 22): 56, (14, 22): 56}, context=context)
    _assert_centers(st.find_boxes(image, threshold=0.75), [(4, 4), (10, 22)], context=context)


@suite.check("q5", title="find_boxes: a suppressed candidate still suppresses (not greedy NMS, §4)")
def suppression_chain(st, _):
    # a 5x9 rectangle at rows 3-7, columns 2-10, threshold 0.6 (43.2). Along row 5 the windows
    # score 50 56 40 40 40 56 50 at columns 3 to 9; the other rows stay below 43.2.
    # (5, 4) is kept: its neighbours score less, or tie with it and come later (5, 8).
    # (5, 8) is not kept: (5, 4) beats it (a tie, and (5, 4) comes first).
    # (5, 9) is not kept: its neighbour (5, 8) beats it (56 > 50), although (5, 8) is not kept
    # either. (5, 9) is 5 columns from (5, 4): greedy NMS would keep it.
    image = np.zeros((11, 15))
    image[3:8, 2:11] = 1.0
    profile = dict(zip([(5, j) for j in range(3, 10)], [50, 56, 40, 40, 40, 56, 50], strict=True))
    _assert_scores(st, image, profile, context="find_boxes(a 5x9 rectangle, threshold=0.6)")
    _assert_centers(st.find_boxes(image, threshold=0.6), [(5, 4)], context="find_boxes(a 5x9 rectangle, threshold=0.6)")


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
