"""hw5 public tests: shipped to students (``python check.py``) and graded with the hidden ones.

NumPy only. Every expected value is worked out by hand from the definitions in the handout.
Most checks use the *hand model* of §1 of the handout: a network whose weights are zero except
one centre tap per conv layer, so that on an 8x8 image with no negative pixel its logits are
exactly ``[0, max(image)]``: covering the brightest pixel is then easy to predict.
"""

from __future__ import annotations

import math

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, raised

suite = Suite(hidden=False)


def hand_params(c_in: int = 1, gain: float = 1.0) -> dict:
    """The hand model: conv1 sums the input channels into channel 0 (centre tap), conv2 and conv3
    copy channel 0 (centre tap), every bias is 0, and logit 1 = gain * channel 0 after global
    average pooling, logit 0 = 0. On an 8x8 image, the three 2x2 max pools leave one pixel: the
    image's maximum (if it is >= 0). So logits = [0, gain * max(image)]."""
    params = {
        "conv1.weight": np.zeros((8, c_in, 3, 3)),
        "conv1.bias": np.zeros(8),
        "conv2.weight": np.zeros((16, 8, 3, 3)),
        "conv2.bias": np.zeros(16),
        "conv3.weight": np.zeros((32, 16, 3, 3)),
        "conv3.bias": np.zeros(32),
        "fc.weight": np.zeros((2, 32)),
        "fc.bias": np.zeros(2),
    }
    params["conv1.weight"][0, :, 1, 1] = 1.0
    params["conv2.weight"][0, 0, 1, 1] = 1.0
    params["conv3.weight"][0, 0, 1, 1] = 1.0
    params["fc.weight"][1, 0] = gain
    return params


def bright_pixel(c: int = 1, channel: int = 0, at: tuple[int, int] = (2, 5)) -> np.ndarray:
    """An 8x8 image of zeros with a single 1 in ``channel`` at row 2, column 5."""
    image = np.zeros((c, 8, 8))
    image[channel, at[0], at[1]] = 1.0
    return image


# ---------------------------------------------------------------- q1 occlusion_probability_map


@suite.check("q1", title="occlusion_probability_map, hand model, 3x3 black patch over a bright pixel")
def probability_map_hand(st, _):
    pmap = st.occlusion_probability_map(hand_params(), bright_pixel(), 1, 3)
    # logits [0, 1] -> p(1) = e / (1 + e); a patch over (2, 5) gives logits [0, 0] -> p(1) = 1/2.
    # Patch rows i..i+2 cover row 2 for i = 0, 1, 2; columns j..j+2 cover column 5 for j = 3, 4, 5.
    expected = np.full((6, 6), 1.0 / (1.0 + math.exp(-1.0)))
    expected[0:3, 3:6] = 0.5
    assert_array("pmap", pmap, expected, context="occlusion_probability_map(hand model, bright pixel at (2, 5), window=3)")


@suite.check("q1", title="occlusion_probability_map output shapes")
def probability_map_shapes(st, _):
    # n = (D - w) // s + 1 per dimension: the patch always lies inside the image
    examples = [((1, 9, 8), (3, 2), (2, 3), (4, 3)), ((1, 8, 8), 8, 1, (1, 1)), ((1, 10, 8), 4, 3, (3, 2))]
    for shape, window, stride, expected in examples:
        image = np.zeros(shape)
        image[0, 1, 1] = 1.0
        pmap = st.occlusion_probability_map(hand_params(), image, 1, window, stride=stride)
        assert_value("the shape", tuple(np.shape(pmap)), expected, context=f"occlusion_probability_map(image {shape}, window={window}, stride={stride})")


@suite.check("q1", title="occlusion_probability_map, hand model, a grey (3, 2) patch, stride (2, 1), class 0")
def probability_map_fill(st, _):
    pmap = st.occlusion_probability_map(hand_params(), bright_pixel(), 0, (3, 2), stride=(2, 1), fill=0.25)
    # (8 - 3) // 2 + 1 = 3 patch rows at 0, 2, 4 and (8 - 2) // 1 + 1 = 7 patch columns at 0 .. 6.
    # p(0) = 1 / (1 + e^logit1): logit 1 is 1 unoccluded, and 0.25 (the grey patch's value, now
    # the image's maximum) where the patch covers the bright pixel at (2, 5): patch rows 0 and 2
    # (i = 0, 1) cover row 2, patch columns 4 and 5 cover column 5.
    expected = np.full((3, 7), 1.0 / (1.0 + math.exp(1.0)))
    expected[0:2, 4:6] = 1.0 / (1.0 + math.exp(0.25))
    context = "occlusion_probability_map(hand model, bright pixel at (2, 5), target 0, window=(3, 2), stride=(2, 1), fill=0.25)"
    assert_array("pmap", pmap, expected, context=context)


# ---------------------------------------------------------------- q2 occlusion_attribution


def _hand_attribution() -> np.ndarray:
    """Window 3, stride 2 on 8 pixels: ceil(5 / 2) + 1 = 4 windows per dimension, starting at
    0, 2, 4, 6 (the last cropped to 2 pixels). A window's logit drop is 1 if it covers (2, 5),
    else 0, and the windows are products of a row range and a column range, so the mean over the
    windows covering (y, x) is rows[y] * cols[x], where rows[y] is the fraction of the row ranges
    covering y that also cover row 2, and cols[x] the same for column 5."""
    rows = np.array([1, 1, 1, 1, 0.5, 0, 0, 0])  # e.g. row 4: ranges 2-4 (covers 2) and 4-6 (not)
    cols = np.array([0, 0, 0, 0, 0.5, 1, 0.5, 0])  # column 5: only range 4-6 covers it
    return np.outer(rows, cols)


@suite.check("q2", title="occlusion_attribution, hand model, window 3, stride 2 (cropped last window)")
def attribution_hand(st, _):
    attr = st.occlusion_attribution(hand_params(), bright_pixel(), 1, 3, stride=2)
    assert_array("attribution", attr, _hand_attribution()[None], context="occlusion_attribution(hand model, bright pixel at (2, 5), window=3, stride=2)")


@suite.check("q2", title="occlusion_attribution, hand model, RGB image: the window covers every channel")
def attribution_rgb(st, _):
    # the bright pixel is in the green channel; conv1 sums the channels
    attr = st.occlusion_attribution(hand_params(c_in=3), bright_pixel(c=3, channel=1), 1, 3, stride=2)
    expected = np.broadcast_to(_hand_attribution(), (3, 8, 8)).copy()
    assert_array("attribution", attr, expected, context="occlusion_attribution(hand model, RGB, bright green pixel at (2, 5), window=3, stride=2)")


@suite.check("q2", title="occlusion_attribution, hand model, a (3, 2) window, stride (2, 1), an array baseline")
def attribution_array_baseline(st, _):
    # Rows: window 3, stride 2, as above. Columns: window 2, stride 1: 7 windows at 0..6; columns
    # 1..6 are covered by 2 of them, and column 5 by the windows at 4 and 5: cols is the same
    # as above. A window covering (2, 5) sets it to its baseline, 0.5, and its other pixels to
    # 0.25: the maximum becomes 0.5, a drop of 1 - 0.5; any other window leaves the maximum at 1.
    baseline = np.full((1, 8, 8), 0.25)
    baseline[0, 2, 5] = 0.5
    attr = st.occlusion_attribution(hand_params(), bright_pixel(), 1, (3, 2), stride=(2, 1), baseline=baseline)
    expected = 0.5 * _hand_attribution()[None]
    assert_array("attribution", attr, expected, context="occlusion_attribution(hand model, bright pixel at (2, 5), window=(3, 2), stride=(2, 1), baseline 0.25 with 0.5 at (2, 5))")


@suite.check("q2", title="occlusion_attribution, a full-size window")
def attribution_full_window(st, _):
    # one window covers everything: logit 1 drops from 1 to 0 for every pixel
    attr = st.occlusion_attribution(hand_params(), bright_pixel(), 1, 8)
    assert_array("attribution", attr, np.ones((1, 8, 8)), context="occlusion_attribution(hand model, window=8)")


@suite.check("q2", title="occlusion_attribution refuses a stride larger than the window")
def attribution_stride_too_large(st, _):
    name = raised(st.occlusion_attribution, hand_params(), bright_pixel(), 1, 2, stride=3)
    assert_value("the exception raised", name, "ValueError", context="occlusion_attribution(window=2, stride=3)")


# ---------------------------------------------------------------- q3 saliency


@suite.check("q3", title="saliency, hand model: the gradient of -2 * max is -2 at the maximum")
def saliency_hand(st, _):
    images = np.stack([bright_pixel(), bright_pixel(at=(7, 0))])
    images[0, 0, 6, 1] = 0.5  # not the maximum: no gradient
    sal = st.saliency(hand_params(gain=-2.0), images, [1, 1])
    expected = np.zeros((2, 1, 8, 8))
    expected[0, 0, 2, 5] = 2.0  # |d(-2 * max) / d x| at the maximum
    expected[1, 0, 7, 0] = 2.0
    assert_array("saliency", sal, expected, context="saliency(hand model with gain -2, targets [1, 1])")


@suite.check("q3", title="saliency of a constant logit is zero")
def saliency_constant(st, _):
    sal = st.saliency(hand_params(), bright_pixel()[None], [0])  # logit 0 is always 0
    assert_array("saliency", sal, np.zeros((1, 1, 8, 8)), context="saliency(hand model, target 0)")


@suite.check("q3", title="saliency, hand model: one target per image, or one int for the batch")
def saliency_targets(st, _):
    images = np.stack([bright_pixel(), bright_pixel(at=(7, 0))])
    one_each = np.zeros((2, 1, 8, 8))
    one_each[0, 0, 2, 5] = 2.0  # image 0: target 1, |d(-2 * max) / d x| at the maximum
    # image 1: target 0, a constant logit: no gradient
    sal = st.saliency(hand_params(gain=-2.0), images, np.array([1, 0]))
    assert_array("saliency", sal, one_each, context="saliency(hand model with gain -2, targets np.array([1, 0]))")
    both = one_each.copy()
    both[1, 0, 7, 0] = 2.0
    sal = st.saliency(hand_params(gain=-2.0), images, 1)
    assert_array("saliency", sal, both, context="saliency(hand model with gain -2, targets 1 (an int: class 1 for both images))")


# ---------------------------------------------------------------- q4 activation_maps


@suite.check("q4", title="activation_maps, hand model: after the ReLU, before the pooling")
def activations_hand(st, _):
    image = bright_pixel()
    image[0, 6, 1] = -0.5  # the ReLU zeroes it
    images = image[None]
    expected1 = np.zeros((1, 8, 8, 8))
    expected1[0, 0, 2, 5] = 1.0
    assert_array("maps", st.activation_maps(hand_params(), images, 1), expected1, context="activation_maps(layer=1)")
    expected2 = np.zeros((1, 16, 4, 4))
    expected2[0, 0, 1, 2] = 1.0  # (2, 5) after a 2x2 max pool
    assert_array("maps", st.activation_maps(hand_params(), images, 2), expected2, context="activation_maps(layer=2)")
    expected3 = np.zeros((1, 32, 2, 2))
    expected3[0, 0, 0, 1] = 1.0
    assert_array("maps", st.activation_maps(hand_params(), images, 3), expected3, context="activation_maps(layer=3)")


@suite.check("q4", title="activation_maps refuses a layer that does not exist")
def activations_bad_layer(st, _):
    for layer in (0, 4):
        name = raised(st.activation_maps, hand_params(), bright_pixel()[None], layer)
        assert_value("the exception raised", name, "ValueError", context=f"activation_maps(layer={layer})")


# ---------------------------------------------------------------- q5 dead_filters


@suite.check("q5", title="dead_filters on a hand-made activation")
def dead_hand(st, _):
    acts = np.zeros((2, 4, 2, 2))  # channel 0: all zeros -> dead
    acts[1, 1, 0, 1] = 0.25  # channel 1: one positive value -> alive
    acts[:, 2] = -1.0  # channel 2: all negative -> dead
    acts[:, 3] = -3.0
    acts[0, 3, 1, 1] = 0.5  # channel 3: negative mean, but one positive value -> alive
    dead = st.dead_filters(acts)
    if isinstance(dead, np.ndarray) and dead.dtype != np.bool_:
        raise CheckFailure(f"dead_filters: dead has dtype {dead.dtype}, expected bool")
    assert_array("dead", dead, np.array([True, False, True, False]), context="dead_filters(hand-made (2, 4, 2, 2))")


# ---------------------------------------------------------------- q6 channel_correlation


@suite.check("q6", title="channel_correlation on a hand-made activation, with a constant channel")
def correlation_hand(st, _):
    channels = [[1, 2, 3, 4], [2, 4, 6, 8], [4, 3, 2, 1], [5, 5, 5, 5], [1, -1, -1, 1]]
    acts = np.array(channels, dtype=np.float64).reshape(1, 5, 2, 2)
    # 1 is 2 * 0: r = 1; 2 is 5 - 0: r = -1; 3 is constant: zeros; 4 is orthogonal to the
    # centred 0 (deviations -1.5, -0.5, 0.5, 1.5): r = 0
    expected = np.array(
        [[1, 1, -1, 0, 0], [1, 1, -1, 0, 0], [-1, -1, 1, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 1]], dtype=np.float64
    )
    assert_array("corr", st.channel_correlation(acts), expected, context="channel_correlation(hand-made (1, 5, 2, 2))")


@suite.check("q6", title="channel_correlation over two images, with a channel of 1/3s (constant)")
def correlation_two_images(st, _):
    acts = np.zeros((2, 4, 1, 5))  # channel c is the vector of its 2 * 1 * 5 = 10 values
    u = np.arange(1.0, 11.0)
    acts[:, 0] = u.reshape(2, 1, 5)  # 1 .. 10: image 0 holds 1 .. 5, image 1 holds 6 .. 10
    acts[:, 1] = 1.0 / 3.0  # constant, although np.var gives about 3e-33 for ten 1/3s
    acts[:, 2] = (11.0 - u).reshape(2, 1, 5)  # r = -1 with channel 0
    # symmetric about the middle, summing to 0: orthogonal to the centred 1 .. 10 (r = 0)
    acts[:, 3] = np.array([1.0, -1, -1, 1, 0, 0, 1, -1, -1, 1]).reshape(2, 1, 5)
    expected = np.array([[1, 0, -1, 0], [0, 0, 0, 0], [-1, 0, 1, 0], [0, 0, 0, 1]], dtype=np.float64)
    assert_array("corr", st.channel_correlation(acts), expected, context="channel_correlation(hand-made (2, 4, 1, 5), channel 1 all 1/3)")


# ---------------------------------------------------------------- q7 filter_mosaic


@suite.check("q7", title="filter_mosaic of three 2x2 filters, 2 per row")
def mosaic_hand(st, _):
    weights = np.array([[[0, 1], [2, 3]], [[7, 7], [7, 7]], [[-1, 1], [1, -1]]], dtype=np.float64)[:, None]
    third = 1.0 / 3.0
    expected = np.array(
        [
            [0, third, 1, 0.5, 0.5],  # filter 0 (min 0, max 3) | pad | filter 1 (constant: 0.5)
            [2 * third, 1, 1, 0.5, 0.5],
            [1, 1, 1, 1, 1],  # pad row
            [0, 1, 1, 1, 1],  # filter 2 (min -1, max 1) | pad | unused cell
            [1, 0, 1, 1, 1],
        ]
    )
    assert_array("mosaic", st.filter_mosaic(weights, ncols=2, pad=1), expected, context="filter_mosaic(3 filters 2x2, ncols=2, pad=1)")


@suite.check("q7", title="filter_mosaic of RGB filters: shape, padding, channels last")
def mosaic_rgb(st, _):
    weights = np.zeros((5, 3, 3, 3))
    weights[0] = np.arange(27.0).reshape(3, 3, 3)  # min 0, max 26
    weights[1:] = 1.0 + np.arange(4.0)[:, None, None, None] * np.arange(27.0).reshape(3, 3, 3)[None]
    weights[1] = 2.0  # constant
    mosaic = st.filter_mosaic(weights, ncols=4, pad=2)
    assert_value("the shape", tuple(np.shape(mosaic)), (8, 18, 3), context="filter_mosaic(5 RGB 3x3 filters, ncols=4, pad=2)")
    expected_tile = np.arange(27.0).reshape(3, 3, 3).transpose(1, 2, 0) / 26.0  # tile[y, x, c] = w[0, c, y, x] / 26
    assert_array("the first tile", mosaic[:3, :3], expected_tile, context="filter_mosaic(RGB): filter 0")
    assert_array("the second tile", mosaic[:3, 5:8], np.full((3, 3, 3), 0.5), context="filter_mosaic(RGB): filter 1 (constant)")
    assert_array("the padding rows", mosaic[3:5], np.ones((2, 18, 3)), context="filter_mosaic(RGB): rows 3-4 (padding)")
    assert_array("the unused cells", mosaic[5:, 5:], np.ones((3, 13, 3)), context="filter_mosaic(RGB): second row, the last three cells (unused)")


@suite.check("q7", title="filter_mosaic with fewer filters than ncols: the grid keeps its ncols columns")
def mosaic_few_filters(st, _):
    weights = np.zeros((2, 1, 3, 3))
    weights[:, 0, 0, 0] = 1.0  # each filter: 1 in its top-left corner, 0 elsewhere
    mosaic = st.filter_mosaic(weights, ncols=4, pad=1)
    # one row of 4 cells: 4 * 3 + 3 * 1 = 15 columns; cells 2 and 3 (columns 8 .. 14) unused
    assert_value("the shape", tuple(np.shape(mosaic)), (3, 15), context="filter_mosaic(2 filters 3x3, ncols=4, pad=1)")
    expected = np.ones((3, 15))
    expected[:, 0:3] = expected[:, 4:7] = 0.0
    expected[0, 0] = expected[0, 4] = 1.0
    assert_array("mosaic", mosaic, expected, context="filter_mosaic(2 filters 3x3, ncols=4, pad=1)")


@suite.check("q7", title="filter_mosaic refuses 2 input channels")
def mosaic_bad_channels(st, _):
    name = raised(st.filter_mosaic, np.ones((4, 2, 3, 3)))
    assert_value("the exception raised", name, "ValueError", context="filter_mosaic(weights (4, 2, 3, 3))")
