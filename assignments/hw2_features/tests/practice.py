"""hw2 practice checks: ``python check.py --torch`` (not graded; needs PyTorch, the CPU wheel is enough).

Every run draws fresh random configurations (the seed is printed; ``--seed N`` replays a run)
from the same families as the grader's hidden cases, and compares your functions with PyTorch:

- edge_maps and box_score with ``torch.nn.functional.conv2d`` and the handout's kernels;
- edge_magnitude with ``torch.linalg.vector_norm``;
- the parameter counts with the real ``torch.nn`` layers (the sum of ``p.numel()``);
- cnn_output_shape with a forward pass of ``nn.Conv2d`` layers on zeros (and a ValueError
  where PyTorch refuses the layer).

No library computes box_kernels or the non-maximum suppression of find_boxes, so those get
*property checks*: box_kernels against the handout's description, and find_boxes on random
binary scenes against the rule of §4 itself (every center you return is a candidate that no
neighbouring candidate beats, every candidate you leave out is beaten by one, the list is
sorted and made of (row, col) tuples of ints).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import torch
import torch.nn.functional as F
from checklib import CheckFailure, PracticeSuite, assert_array, assert_value, expect_tuple, raised
from torch import nn

suite = PracticeSuite()

# The handout's kernels (§1), typed in again here: never taken from your features.py.
HANDOUT_VERTICAL = torch.tensor([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=torch.float64)
HANDOUT_HORIZONTAL = torch.tensor([[1, 2, 1], [0, 0, 0], [-1, -2, -1]], dtype=torch.float64)


def _as_torch(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(a, dtype=np.float64))


def _sobel(image: np.ndarray) -> torch.Tensor:
    """(2, H, W): channel 0 the horizontal map, channel 1 the vertical one (F.conv2d, padding 1)."""
    weight = torch.stack([HANDOUT_HORIZONTAL, HANDOUT_VERTICAL]).unsqueeze(1)  # (2, 1, 3, 3)
    return F.conv2d(_as_torch(image).reshape(1, 1, *image.shape), weight, padding=1).squeeze(0)


def _box_weight(size: int) -> torch.Tensor:
    """(1, 2, size, size): §3's detector, H channel first (rows -1 / +1), V channel second (columns +1 / -1)."""
    weight = torch.zeros((1, 2, size, size), dtype=torch.float64)
    weight[0, 0, 0], weight[0, 0, size - 1] = -1.0, 1.0
    weight[0, 1, :, 0], weight[0, 1, :, size - 1] = 1.0, -1.0
    return weight


def _torch_scores(edges: torch.Tensor, size: int) -> torch.Tensor:
    return F.conv2d(edges.unsqueeze(0), _box_weight(size), padding=size // 2)[0, 0]


def _random_image(rng: np.random.Generator, h: int, w: int) -> tuple[np.ndarray, str]:
    kind = str(rng.choice(["float64", "float64", "float32", "uint8", "int64", "binary"]))
    if kind == "uint8":
        return rng.integers(0, 256, (h, w)).astype(np.uint8), "uint8 image"
    if kind == "int64":
        return rng.integers(-50, 51, (h, w)), "int64 image"
    if kind == "binary":
        return (rng.random((h, w)) < 0.4).astype(np.float64), "binary image"
    return rng.standard_normal((h, w)).astype(kind), f"{kind} image"


def _random_hw(rng: np.random.Generator, high: int) -> tuple[int, int]:
    """A random (H, W), now and then with one row, one column or a single pixel."""
    h, w = (int(v) for v in rng.integers(1, high + 1, 2))
    pick = int(rng.integers(10))
    if pick == 0:
        return 1, w
    if pick == 1:
        return h, 1
    if pick == 2:
        return 1, 1
    return h, w


# ---------------------------------------------------------------- q1-q4 the image functions


@suite.practice("q1", title="edge_maps", compares_with="torch.nn.functional.conv2d", draws=12)
def practice_edge_maps(st, rng: np.random.Generator) -> None:
    h, w = _random_hw(rng, 24)
    image, what = _random_image(rng, h, w)
    context = f"edge_maps({what} {h}x{w})"
    horizontal, vertical = expect_tuple("edge_maps", st.edge_maps(image), 2)
    want = _sobel(image).numpy()
    assert_array("horizontal", horizontal, want[0], context=context)
    assert_array("vertical", vertical, want[1], context=context)


@suite.practice("q2", title="edge_magnitude", compares_with="torch.linalg.vector_norm", draws=10)
def practice_edge_magnitude(st, rng: np.random.Generator) -> None:
    h, w = _random_hw(rng, 20)
    horizontal, vertical = 5 * rng.standard_normal((h, w)), 5 * rng.standard_normal((h, w))
    norm = [None, "l1", "l2"][int(rng.integers(3))]
    kwargs = {} if norm is None else {"norm": norm}
    stacked = torch.stack([_as_torch(horizontal), _as_torch(vertical)])
    want = torch.linalg.vector_norm(stacked, ord=1 if norm == "l1" else 2, dim=0).numpy()
    got = st.edge_magnitude(horizontal, vertical, **kwargs)
    assert_array("magnitude", got, want, context=f"edge_magnitude({h}x{w} maps, " + ("default norm)" if norm is None else f"norm={norm!r})"))


@suite.practice("q2", title="edge_magnitude rejects other norms (random strings, None, 2)", draws=4)
def practice_edge_magnitude_rejects(st, rng: np.random.Generator) -> None:
    norm = [None, "L2", "L1", "l3", "max", "inf", "fro", "", 2, "l2 "][int(rng.integers(10))]
    message: list[str] = []

    def call() -> None:
        try:
            st.edge_magnitude(np.ones((2, 3)), np.zeros((2, 3)), norm=norm)
        except Exception as exc:
            message.append(str(exc))
            raise

    context = f"edge_magnitude(norm={norm!r})"
    assert_value("the exception raised", raised(call), "ValueError", context=context)
    if "l1" not in message[0] or "l2" not in message[0]:
        raise CheckFailure(f"{context}: the ValueError should name the allowed values 'l1' and 'l2', got {message[0]!r}")


@suite.practice("q3", title="box_kernels, as §3 describes them", draws=6)
def practice_box_kernels(st, rng: np.random.Generator) -> None:
    size = int(rng.choice([3, 5, 7, 9, 11, 13]))
    default = rng.random() < 0.25
    got = st.box_kernels() if default else st.box_kernels(size)
    assert_array("kernels", got, _box_weight(5 if default else size).numpy(), context="box_kernels()" if default else f"box_kernels({size})")
    bad = int(rng.choice([0, 1, 2, 4, 6, 8, 10, -1, -3]))
    assert_value("the exception raised", raised(st.box_kernels, bad), "ValueError", context=f"box_kernels({bad}) (not an odd int >= 3)")


@suite.practice("q4", title="box_score", compares_with="torch.nn.functional.conv2d", draws=12)
def practice_box_score(st, rng: np.random.Generator) -> None:
    size = [None, 3, 5, 7, 9, 11][int(rng.integers(6))]
    k = 5 if size is None else size
    h, w = _random_hw(rng, 3 * k)  # sometimes smaller than the kernel
    if rng.random() < 0.3:  # the Sobel edges of a binary image, as find_boxes feeds them
        edges, what = _sobel((rng.random((h, w)) < 0.5).astype(np.float64)).numpy(), "edges of a binary image"
    else:
        edges, what = rng.standard_normal((2, h, w)), "random edges"
    got = st.box_score(edges) if size is None else st.box_score(edges, size)
    context = f"box_score({what} (2, {h}, {w}), " + ("default size)" if size is None else f"size={size})")
    assert_array("score", got, _torch_scores(_as_torch(edges), k).numpy(), context=context)


# ---------------------------------------------------------------- q5 find_boxes: properties of §4's rule


def _random_scene(rng: np.random.Generator, size: int) -> tuple[np.ndarray, str]:
    """Rectangles of the hidden families (boxes of the size and of its neighbours, long
    rectangles, lines, dots), placed at random: they may touch, overlap or leave the image."""
    h, w = (int(v) for v in rng.integers(3 * size, 7 * size + 1, 2))
    image = np.zeros((h, w))
    shapes = {
        "box": (size, size),
        "small box": (size - 2, size - 2),
        "large box": (size + 2, size + 2),
        "5x9-like": (size, size + 4),
        "9x5-like": (size + 4, size),
        "line": (1, 2 * size),
        "column": (2 * size, 1),
        "dot": (2, 2),
    }
    names = list(shapes)
    for _ in range(int(rng.integers(1, 8))):
        a, b = shapes[names[int(rng.integers(len(names)))]]
        top, left = int(rng.integers(-1, h - a + 2)), int(rng.integers(-1, w - b + 2))
        image[max(top, 0) : top + a, max(left, 0) : left + b] = 1.0
    dtype = str(rng.choice(["float64", "int64", "bool", "uint8"]))
    return image.astype(dtype), f"{dtype} scene {h}x{w}"


def _power_of_two(n: int) -> bool:
    return n & (n - 1) == 0


def _threshold(rng: np.random.Generator, ideal: int, score: np.ndarray) -> float | None:
    """None (the default), a threshold that puts the bar exactly on one of the scene's scores
    (a score equal to threshold * ideal is a candidate), or a threshold in [0.3, 0.95] whose bar
    is not a whole number. (A bar that only nearly equals a score could make
    ``score >= t * ideal`` and ``score / ideal >= t`` disagree: never drawn.)"""
    pick = rng.random()
    if pick < 0.2:
        return None
    # v / ideal with a power-of-two denominator is exact in binary (0.75, 0.625, ...), so the
    # bar is exactly v whichever way it is computed
    exact = [int(v) for v in np.unique(score) if 0.3 * ideal <= v <= ideal and _power_of_two(Fraction(int(v), ideal).denominator)]
    if pick < 0.45 and exact:
        return exact[int(rng.integers(len(exact)))] / ideal
    while True:
        t = round(float(rng.uniform(0.3, 0.95)), 3)
        if abs(t * ideal - round(t * ideal)) > 1e-6:
            return t


@suite.practice("q5", title="find_boxes on random binary scenes", draws=30)
def practice_find_boxes(st, rng: np.random.Generator) -> None:
    size = int(rng.choice([3, 5, 5, 5, 7]))
    ideal = 16 * size - 8
    image, what = _random_scene(rng, size)
    # the rule, on the scores of F.conv2d (integers for a binary image: ties compare exactly)
    score = np.rint(_torch_scores(_sobel(image.astype(np.float64)), size).numpy()).astype(np.int64)
    threshold = _threshold(rng, ideal, score)
    kwargs = {"size": size} | ({} if threshold is None else {"threshold": threshold})
    context = f"find_boxes({what}, size={size}, " + ("default threshold)" if threshold is None else f"threshold={threshold})")
    got = st.find_boxes(image, **kwargs)

    # the form of the answer: a list of (row, col) tuples of ints, sorted, inside the image
    if not isinstance(got, list):
        raise CheckFailure(f"{context}: centers is a {type(got).__name__}, expected a list of (row, col) tuples of ints")
    for index, center in enumerate(got):
        if not isinstance(center, tuple) or len(center) != 2:
            raise CheckFailure(f"{context}: centers[{index}] is {center!r} ({type(center).__name__}), expected a (row, col) tuple")
        for v in center:
            if not isinstance(v, (int, np.integer)) or isinstance(v, (bool, np.bool_)):
                raise CheckFailure(
                    f"{context}: centers[{index}] is {center!r}: a coordinate is a {type(v).__name__}, "
                    "expected an int (a Python int or a NumPy integer)"
                )
    found = [(int(r), int(c)) for r, c in got]
    if found != sorted(set(found)):
        raise CheckFailure(f"{context}: centers {found} are not sorted by row, then column (or hold a center twice)")
    height, width = image.shape
    outside = [p for p in found if not (0 <= p[0] < height and 0 <= p[1] < width)]
    if outside:
        raise CheckFailure(f"{context}: center {outside[0]} is outside the {height}x{width} image")

    # §4's rule, on the scores of F.conv2d
    bar = (0.9 if threshold is None else threshold) * ideal
    rows, cols = np.nonzero(score >= bar)
    value = score[rows, cols]
    near = np.maximum(np.abs(rows[:, None] - rows[None, :]), np.abs(cols[:, None] - cols[None, :])) < size
    # better[q, p]: candidate q beats candidate p (higher score; on a tie, q first in row-major order)
    first = (rows[:, None] < rows[None, :]) | ((rows[:, None] == rows[None, :]) & (cols[:, None] < cols[None, :]))
    better = (value[:, None] > value[None, :]) | ((value[:, None] == value[None, :]) & first)
    beaten_by = np.where(near & better, np.arange(len(rows))[:, None], -1).max(axis=0, initial=-1)  # a beating neighbour, or -1
    index = {(int(r), int(c)): i for i, (r, c) in enumerate(zip(rows, cols, strict=True))}
    for p in found:
        if p not in index:
            raise CheckFailure(f"{context}: {p} is returned, but its score {int(score[p])} is below threshold * ideal = {bar:.4g}: not a candidate")
        q = int(beaten_by[index[p]])
        if q >= 0:
            raise CheckFailure(
                f"{context}: {p} (score {int(score[p])}) is returned, but the candidate {(int(rows[q]), int(cols[q]))} "
                f"(score {int(value[q])}) within {size - 1} of it beats it (§4: whether or not that one is kept)"
            )
    kept = set(found)
    for i, (r, c) in enumerate(zip(rows, cols, strict=True)):
        p = (int(r), int(c))
        if p not in kept and beaten_by[i] < 0:
            raise CheckFailure(f"{context}: the candidate {p} (score {int(value[i])}) is missing: no candidate within {size - 1} of it beats it")


# ---------------------------------------------------------------- q6-q10 parameter counts and shapes


def _numel(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def _bias_choice(rng: np.random.Generator) -> tuple[dict, bool, str]:
    """(the keyword arguments to pass, the bias torch gets, the text for the message)."""
    pick = int(rng.integers(3))
    if pick == 0:
        return {}, True, ""
    return {"bias": pick == 1}, pick == 1, f", bias={pick == 1}"


@suite.practice("q6", title="linear_param_count", compares_with="torch.nn.Linear", draws=8)
def practice_linear(st, rng: np.random.Generator) -> None:
    n_in, n_out = (int(v) for v in rng.integers(1, 5000, 2))
    kwargs, bias, text = _bias_choice(rng)
    want = _numel(nn.Linear(n_in, n_out, bias=bias, device="meta"))
    assert_value("count", st.linear_param_count(n_in, n_out, **kwargs), want, context=f"linear_param_count({n_in}, {n_out}{text})")


@suite.practice("q7", title="conv_param_count", compares_with="torch.nn.Conv1d / Conv2d / Conv3d", draws=10)
def practice_conv(st, rng: np.random.Generator) -> None:
    c_in, c_out = (int(v) for v in rng.integers(1, 129, 2))
    dims = int(rng.integers(0, 4))  # 0: an int kernel_size (a 1D kernel); 1-3: a tuple of that length
    taps = tuple(int(v) for v in rng.integers(1, 8, max(dims, 1)))
    kernel_size = taps[0] if dims == 0 else taps
    kwargs, bias, text = _bias_choice(rng)
    layer = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[len(taps) - 1](c_in, c_out, taps, bias=bias, device="meta")
    got = st.conv_param_count(c_in, c_out, kernel_size, **kwargs)
    assert_value("count", got, _numel(layer), context=f"conv_param_count({c_in}, {c_out}, {kernel_size!r}{text})")


@suite.practice("q8", title="mlp_param_count", compares_with="torch.nn.Linear layers in nn.Sequential", draws=8)
def practice_mlp(st, rng: np.random.Generator) -> None:
    sizes = [int(v) for v in rng.integers(1, 1000, int(rng.integers(2, 8)))]
    kwargs, bias, text = _bias_choice(rng)
    mlp = nn.Sequential()
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        mlp.append(nn.Linear(n_in, n_out, bias=bias, device="meta"))
        mlp.append(nn.ReLU())
    want = _numel(mlp)
    assert_value("count", st.mlp_param_count(list(sizes), **kwargs), want, context=f"mlp_param_count({sizes}{text})")


def _int_or_pair(rng: np.random.Generator, low: int, high: int) -> int | tuple[int, int]:
    if rng.random() < 0.35:
        return int(rng.integers(low, high + 1)), int(rng.integers(low, high + 1))
    return int(rng.integers(low, high + 1))


def _random_cnn(rng: np.random.Generator) -> tuple[tuple[int, int, int], list[tuple]]:
    """An input shape and 0 to 5 conv layers; now and then the last layer gets a kernel larger
    than its padded input (an empty output: PyTorch refuses it)."""
    shape = (int(rng.integers(1, 5)), int(rng.integers(4, 41)), int(rng.integers(4, 41)))
    layers = []
    for _ in range(int(rng.integers(0, 6))):
        layers.append((int(rng.integers(1, 13)), _int_or_pair(rng, 1, 5), _int_or_pair(rng, 1, 3), _int_or_pair(rng, 0, 2)))
    if rng.random() < 0.2:
        layers.append((int(rng.integers(1, 5)), (int(rng.integers(30, 60)), int(rng.integers(1, 4))), 1, 0))
    return shape, layers


def _conv_stack(shape: tuple[int, int, int], layers: list[tuple], bias: bool = True, device: str = "cpu") -> nn.Sequential:
    stack, channels = nn.Sequential(), shape[0]
    for out_channels, kernel_size, stride, padding in layers:
        stack.append(nn.Conv2d(channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias, device=device))
        channels = out_channels
    return stack


def _torch_feature_shape(shape: tuple[int, int, int], layers: list[tuple]) -> tuple[int, ...] | None:
    """The (C, H, W) torch computes on zeros, or None if torch refuses a layer (an empty output)."""
    try:
        with torch.no_grad():
            out = _conv_stack(shape, layers)(torch.zeros((1, *shape)))
    except RuntimeError:
        return None
    return tuple(int(n) for n in out.shape)[1:]


@suite.practice("q9", title="cnn_output_shape", compares_with="torch.nn.Conv2d forward on zeros", draws=12)
def practice_cnn_output_shape(st, rng: np.random.Generator) -> None:
    shape, layers = _random_cnn(rng)
    want = _torch_feature_shape(shape, layers)
    context = f"cnn_output_shape({shape}, {layers})"
    if want is None:
        assert_value("the exception raised (PyTorch refuses this network)", raised(st.cnn_output_shape, shape, layers), "ValueError", context=context)
    else:
        assert_value("shape", st.cnn_output_shape(shape, layers), want, context=context)


@suite.practice("q10", title="cnn_param_count", compares_with="torch.nn.Conv2d layers, nn.Flatten, nn.Linear", draws=10)
def practice_cnn_param_count(st, rng: np.random.Generator) -> None:
    shape, layers = _random_cnn(rng)
    num_outputs = int(rng.integers(1, 201))
    kwargs, bias, text = _bias_choice(rng)
    context = f"cnn_param_count({shape}, {layers}, {num_outputs}{text})"
    features = _torch_feature_shape(shape, layers)
    if features is None:
        assert_value("the exception raised (PyTorch refuses this network)", raised(st.cnn_param_count, shape, layers, num_outputs, **kwargs), "ValueError", context=context)
        return
    head = nn.Linear(int(np.prod(features)), num_outputs, bias=bias, device="meta")
    net = nn.Sequential(_conv_stack(shape, layers, bias, device="meta"), nn.Flatten(), head)
    assert_value("count", st.cnn_param_count(shape, layers, num_outputs, **kwargs), _numel(net), context=context)
