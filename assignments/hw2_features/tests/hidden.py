"""hw2 hidden tests: every graded function against PyTorch, on CPU and on CUDA if present.

Never shipped to students. Each check calls the student once per case and returns its outputs;
the attached ``reference`` computes the same outputs with PyTorch on the requested device:
``F.conv2d`` (float64, TF32 off) for the edge maps and box scores, and ``torch.nn`` modules for
the parameter counts (the sum of ``p.numel()``) and output shapes (a forward pass on zeros).
``find_boxes`` is compared with the ground truth of seeded generated scenes (solid boxes plus
distractors), with answers worked by hand (ties, touching boxes, suppression chains), and, on
scenes at low thresholds where greedy suppression and §4's rule disagree, with §4's rule
written out in plain Python on the ``F.conv2d`` scores. Architectures are drawn from
``numpy.random.default_rng(seed)``. Cases are small enough that a correct plain-loop submission
passes well within the time limit, and chosen to break the realistic bugs of the mutant catalog
(``assignments/hw2_features/mutants/``). Plain values (counts, shapes, centers, exception
names) are compared by checklib's typed comparison: the references give ints where the
contract says int, and the student's value is never converted before it is compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from checklib import Suite, expect_tuple, raised, raised_with_message
from refkit import F, nn, pair, tabled, tensor, to_numpy, torch

suite = Suite(hidden=True)

# The lecture's kernels, written out here (never taken from the submission or the solution).
SOBEL_V = [[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]
SOBEL_H = [[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]


def _torch_box_kernels(size: int, device: str) -> torch.Tensor:
    k = torch.zeros(1, 2, size, size, dtype=torch.float64, device=device)
    k[0, 0, 0, :], k[0, 0, size - 1, :] = -1.0, 1.0
    k[0, 1, :, 0], k[0, 1, :, size - 1] = 1.0, -1.0
    return k


def _torch_edges(image: np.ndarray, device: str) -> torch.Tensor:
    """(2, H, W): the Sobel H and V maps of ``image`` by F.conv2d, zero padding 1."""
    kernels = tensor([[SOBEL_H], [SOBEL_V]], device)  # (2, 1, 3, 3)
    return F.conv2d(tensor(image, device)[None, None], kernels, padding=1)[0]


def _rule_centers(image: np.ndarray, size: int, threshold: float, device: str) -> list[tuple[int, int]]:
    """§4's rule, written out as the handout states it, on the scores that F.conv2d gives."""
    score = to_numpy(F.conv2d(_torch_edges(image, device)[None], _torch_box_kernels(size, device), padding=size // 2)[0, 0])
    # a binary image has integer scores: compare them as ints (ties are exact, never float ==)
    whole = np.rint(score)
    assert np.allclose(score, whole, rtol=0.0, atol=1e-9), "a binary image should have integer scores"
    score = whole.astype(np.int64)
    bar = threshold * (16 * size - 8)
    candidates = [(int(i), int(j)) for i, j in zip(*np.nonzero(score >= bar), strict=True)]

    def rank(p: tuple[int, int]) -> tuple[int, int, int]:  # smaller is better: score, then row-major
        return (-int(score[p]), p[0], p[1])

    def beaten(p: tuple[int, int]) -> bool:
        return any(max(abs(q[0] - p[0]), abs(q[1] - p[1])) < size and rank(q) < rank(p) for q in candidates)

    return sorted(p for p in candidates if not beaten(p))


# ---------------------------------------------------------------- generated binary scenes

# The shapes a scene can hold besides the solid size x size boxes, as (height, width) for a size s.
DISTRACTORS = {
    "small box": lambda s, rng: (s - 2, s - 2),
    "large box": lambda s, rng: (s + 2, s + 2),
    "wide rectangle": lambda s, rng: (s, s + 4),
    "tall rectangle": lambda s, rng: (s + 4, s),
    "horizontal line": lambda s, rng: (1, int(rng.integers(s + 1, 2 * s + 3))),
    "vertical line": lambda s, rng: (int(rng.integers(s + 1, 2 * s + 3)), 1),
    "dot": lambda s, rng: (2, 2),
}
GAP = 2  # background pixels kept between any two shapes (their edges never touch)


@dataclass(frozen=True)
class Scene:
    """A binary image with ``boxes`` solid size x size boxes and some distractor shapes."""

    seed: int
    shape: tuple[int, int]
    boxes: int
    distractors: tuple[str, ...] = ()
    border_boxes: int = 0  # how many of the boxes touch the image border
    size: int = 5
    threshold: float | None = None  # None: the default is used (not passed)
    dtype: str = "float64"

    def __str__(self) -> str:
        others = f" + {', '.join(self.distractors)}" if self.distractors else ""
        border = f" ({self.border_boxes} on the border)" if self.border_boxes else ""
        threshold = "default threshold" if self.threshold is None else f"threshold={self.threshold}"
        return (
            f"{self.shape[0]}x{self.shape[1]} {self.dtype} scene #{self.seed}: {self.boxes} box(es) "
            f"{self.size}x{self.size}{border}{others}; size={self.size}, {threshold}"
        )

    def build(self) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """The image and the ground truth: the sorted (row, col) centers of the solid boxes."""
        rng = np.random.default_rng(self.seed)
        s, (height, width) = self.size, self.shape
        placed: list[tuple[int, int, int, int]] = []  # (top, left, height, width)

        def place(h: int, w: int, border: bool) -> tuple[int, int]:
            for _ in range(10_000):
                top, left = int(rng.integers(0, height - h + 1)), int(rng.integers(0, width - w + 1))
                if border:  # push the shape against one of the four sides
                    side = int(rng.integers(4))
                    top = {0: 0, 1: height - h}.get(side, top)
                    left = {2: 0, 3: width - w}.get(side, left)
                if all(
                    top >= t + ph + GAP or t >= top + h + GAP or left >= lf + pw + GAP or lf >= left + w + GAP
                    for t, lf, ph, pw in placed
                ):
                    placed.append((top, left, h, w))
                    return top, left
            raise RuntimeError(f"scene {self.seed}: no room for a {h}x{w} shape")

        image = np.zeros(self.shape)
        centers = []
        for index in range(self.boxes):
            top, left = place(s, s, index < self.border_boxes)
            image[top : top + s, left : left + s] = 1.0
            centers.append((top + s // 2, left + s // 2))
        for name in self.distractors:
            h, w = DISTRACTORS[name](s, rng)
            top, left = place(h, w, False)
            image[top : top + h, left : left + w] = 1.0
        return image.astype(self.dtype), sorted(centers)

    @property
    def kwargs(self) -> dict:
        return {"size": self.size} | ({} if self.threshold is None else {"threshold": self.threshold})


ALL = tuple(DISTRACTORS)
SCENES = [
    Scene(1, (32, 40), 1, ("small box", "large box", "wide rectangle")),
    Scene(2, (48, 64), 4, ALL, border_boxes=1),
    Scene(3, (40, 40), 3, ("tall rectangle", "wide rectangle", "horizontal line", "vertical line"), border_boxes=2),
    Scene(4, (36, 52), 0, ALL),
    Scene(5, (24, 24), 2, (), border_boxes=2),
    Scene(6, (48, 48), 6, ("small box", "large box", "dot")),
    Scene(7, (40, 56), 3, ALL, border_boxes=1, threshold=0.95),
    Scene(8, (30, 36), 2, ("small box", "large box", "wide rectangle", "vertical line"), dtype="bool"),
    Scene(9, (30, 30), 3, ALL, size=3),
    Scene(10, (44, 52), 2, ALL, border_boxes=1, size=7),
    Scene(11, (40, 48), 3, ("large box", "horizontal line"), size=3, threshold=0.95),
]
# Lower thresholds: windows shifted by one pixel from a box's center become candidates
# (50/72 of the ideal score for size 5), and only the non-maximum suppression removes them.
NMS_SCENES = [
    Scene(21, (40, 48), 4, (), border_boxes=1, threshold=0.6),
    Scene(22, (36, 36), 3, (), threshold=0.55, size=3),
    Scene(23, (48, 48), 3, (), border_boxes=1, threshold=0.6, size=7),
    Scene(24, (40, 40), 5, (), threshold=0.65),
]


@suite.check("q5", SCENES, title="find_boxes")
def find_boxes(st, scene: Scene):
    image, _truth = scene.build()
    return {"centers": st.find_boxes(image, **scene.kwargs)}


@find_boxes.reference
def _(scene: Scene, device: str) -> dict:
    return {"centers": scene.build()[1]}


@suite.check("q5", NMS_SCENES, title="find_boxes with a low threshold (non-maximum suppression)")
def find_boxes_nms(st, scene: Scene):
    image, _truth = scene.build()
    return {"centers": st.find_boxes(image, **scene.kwargs)}


@find_boxes_nms.reference
def _(scene: Scene, device: str) -> dict:
    return {"centers": scene.build()[1]}


@dataclass(frozen=True)
class HandCase:
    """Rectangles (and boxes) in a 30 x 34 image, with the answer worked by hand from §4's rule."""

    size: int
    threshold: float
    # (top, left, height, width) of each rectangle
    rectangles: tuple[tuple[int, int, int, int], ...]
    expected: tuple[tuple[int, int], ...]

    def __str__(self) -> str:
        return f"size={self.size}, threshold={self.threshold}, rectangles (top, left, h, w) {list(self.rectangles)}"

    def image(self) -> np.ndarray:
        image = np.zeros((30, 34))
        for top, left, h, w in self.rectangles:
            image[top : top + h, left : left + w] = 1.0
        return image


def _hand_reference(case: HandCase, device: str) -> dict:
    return {"centers": [tuple(c) for c in case.expected]}


# Worked by hand. The window on either end of a 5x9 rectangle scores 19 + 19 + 18 + 0 = 56
# (0.78 of 72, the ideal); every other position scores less than 0.75 * 72. The two ends are
# 4 columns apart: one survives, the first in row-major order (the left or the top one).
# Likewise for 3x5 rectangles and size 3: 11 + 11 + 10 + 0 = 32 (0.8 of 40), 2 apart.
# A 5x8 rectangle at threshold 0.6: its ends (56) are 3 apart, and the windows one pixel
# further out (16 + 16 + 18 + 0 = 50 >= 43.2) lie within 4 of the kept end: only it survives.
TIE_CASES = [
    HandCase(5, 0.75, ((3, 4, 5, 9), (12, 22, 9, 5)), ((5, 6), (14, 24))),
    HandCase(3, 0.75, ((20, 3, 3, 5), (4, 25, 5, 3)), ((5, 26), (21, 4))),
    HandCase(5, 0.6, ((3, 4, 5, 8), (12, 22, 8, 5)), ((5, 6), (14, 24))),
]


@suite.check("q5", TIE_CASES, title="find_boxes breaks score ties in row-major order")
def find_boxes_ties(st, case: HandCase):
    return {"centers": st.find_boxes(case.image(), size=case.size, threshold=case.threshold)}


find_boxes_ties.reference(_hand_reference)

# Worked by hand: a 3x4 rectangle's best windows (centered on its two middle pixels) score
# 15 + 15 + 12 + 12 = 54, exactly 0.75 * 72: they are candidates (>=), and the first is kept.
# The 5x5 box scores 72; windows shifted from its center score at most 50 < 54.
EXACT_CASES = [
    HandCase(5, 0.75, ((2, 3, 5, 5), (20, 6, 3, 4), (14, 24, 4, 3)), ((4, 5), (15, 25), (21, 7))),
]


@suite.check("q5", EXACT_CASES, title="find_boxes keeps a score equal to threshold * ideal")
def find_boxes_exact(st, case: HandCase):
    return {"centers": st.find_boxes(case.image(), size=case.size, threshold=case.threshold)}


find_boxes_exact.reference(_hand_reference)

# Worked by hand: boxes whose windows touch without overlapping (centers exactly size apart) are
# not neighbours, and both are kept. Corner to corner, each center loses 2 to the shared corner
# (70 for size 5, 38 for size 3, 102 for size 7); side by side with 4 rows of offset, 67.
TOUCH_CASES = [
    HandCase(5, 0.9, ((3, 5, 5, 5), (8, 10, 5, 5), (17, 19, 5, 5), (21, 24, 5, 5)), ((5, 7), (10, 12), (19, 21), (23, 26))),
    HandCase(3, 0.9, ((4, 20, 3, 3), (7, 23, 3, 3)), ((5, 21), (8, 24))),
    HandCase(7, 0.9, ((2, 3, 7, 7), (9, 10, 7, 7)), ((5, 6), (12, 13))),
]


@suite.check("q5", TOUCH_CASES, title="find_boxes keeps boxes whose windows touch (centers size apart)")
def find_boxes_touching(st, case: HandCase):
    return {"centers": st.find_boxes(case.image(), size=case.size, threshold=case.threshold)}


find_boxes_touching.reference(_hand_reference)

# Worked by hand: chains where a suppressed candidate still suppresses (§4; greedy NMS differs).
# A 5x9 rectangle at 0.6 (43.2): along its middle row 50 56 40 40 40 56 50; the right end (56)
# loses the tie to the left end, and the window right of it (50), 5 columns from the left end,
# loses to the right end: one center per rectangle. The same for a 3x5 rectangle at 0.55 (22):
# 26 32 24 32 26, and for a 7x11 rectangle at 0.3 (31.2): 32 40 74 80 56 56 56 80 74 40 32.
CHAIN_CASES = [
    HandCase(5, 0.6, ((4, 3, 5, 9), (12, 22, 9, 5)), ((6, 5), (14, 24))),
    HandCase(3, 0.55, ((6, 4, 3, 5), (15, 20, 5, 3)), ((7, 5), (16, 21))),
    HandCase(7, 0.3, ((3, 3, 7, 11), (14, 20, 11, 7)), ((6, 6), (17, 23))),
]


@suite.check("q5", CHAIN_CASES, title="find_boxes: a suppressed candidate still suppresses (chains)")
def find_boxes_chains(st, case: HandCase):
    return {"centers": st.find_boxes(case.image(), size=case.size, threshold=case.threshold)}


find_boxes_chains.reference(_hand_reference)

# Generated scenes at thresholds 0.3-0.6, where rectangles, lines and large boxes form chains of
# overlapping candidates: greedy suppression keeps more centers than §4's rule on each of these.
# The reference is the rule itself (_rule_centers), on the F.conv2d scores.
RULE_SCENES = [
    Scene(200, (40, 48), 1, ("tall rectangle", "wide rectangle", "vertical line", "horizontal line"), threshold=0.3),
    Scene(203, (40, 48), 2, ("horizontal line", "large box", "dot"), border_boxes=1, size=3, threshold=0.45),
    Scene(212, (40, 48), 1, ("horizontal line", "wide rectangle", "vertical line"), threshold=0.4),
    Scene(216, (40, 48), 2, ("small box", "large box", "wide rectangle"), border_boxes=1, threshold=0.6),
    Scene(224, (40, 48), 1, ("wide rectangle", "small box", "dot", "vertical line"), border_boxes=1, threshold=0.5, dtype="bool"),
    Scene(236, (40, 48), 3, ("tall rectangle", "dot"), threshold=0.6),
    Scene(320, (48, 56), 1, ("horizontal line", "wide rectangle"), border_boxes=1, size=7, threshold=0.3),
]


@suite.check("q5", RULE_SCENES, title="find_boxes at a low threshold, against §4's rule")
def find_boxes_rule(st, scene: Scene):
    return {"centers": st.find_boxes(scene.build()[0], **scene.kwargs)}


@find_boxes_rule.reference
def _(scene: Scene, device: str) -> dict:
    return {"centers": _rule_centers(scene.build()[0], scene.size, scene.threshold, device)}


# ---------------------------------------------------------------- q1 edge_maps


@dataclass(frozen=True)
class ImageCase:
    shape: tuple[int, int]
    seed: int
    kind: str = "normal"  # normal: N(0, 1) floats; uint8: 0..255 pixels; scene: a binary scene

    def __str__(self) -> str:
        return f"{self.kind} image {self.shape[0]}x{self.shape[1]}, seed {self.seed}"

    def image(self) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        if self.kind == "uint8":
            return rng.integers(0, 256, self.shape).astype(np.uint8)
        if self.kind == "scene":
            return Scene(self.seed, self.shape, 2, ("small box", "horizontal line")).build()[0]
        return rng.standard_normal(self.shape)


EDGE_CASES = [
    ImageCase((7, 9), 31),
    ImageCase((12, 10), 32),
    ImageCase((1, 6), 33),
    ImageCase((6, 1), 34),
    ImageCase((1, 1), 35),
    ImageCase((2, 3), 36),
    ImageCase((20, 24), 37, "scene"),
    ImageCase((9, 11), 38, "uint8"),
]


@suite.check("q1", EDGE_CASES, title="edge_maps")
def edge_maps(st, c: ImageCase):
    horizontal, vertical = expect_tuple("edge_maps", st.edge_maps(c.image()), 2)
    return {"horizontal": horizontal, "vertical": vertical}


@edge_maps.reference
def _(c: ImageCase, device: str) -> dict:
    edges = _torch_edges(c.image(), device)
    return {"horizontal": to_numpy(edges[0]), "vertical": to_numpy(edges[1])}


# ---------------------------------------------------------------- q2 edge_magnitude


@dataclass(frozen=True)
class MagnitudeCase:
    shape: tuple[int, int]
    seed: int
    norm: str | None  # None: the default is used (not passed)

    def __str__(self) -> str:
        return f"{self.shape[0]}x{self.shape[1]}, seed {self.seed}, " + ("default norm" if self.norm is None else f"norm={self.norm!r}")

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        return 4 * rng.standard_normal(self.shape), 4 * rng.standard_normal(self.shape)


MAGNITUDE_CASES = [
    MagnitudeCase((5, 7), 51, "l1"),
    MagnitudeCase((5, 7), 52, "l2"),
    MagnitudeCase((8, 3), 53, None),
    MagnitudeCase((1, 1), 54, "l1"),
    MagnitudeCase((6, 6), 55, "l2"),
]


@suite.check("q2", MAGNITUDE_CASES, title="edge_magnitude")
def edge_magnitude(st, c: MagnitudeCase):
    horizontal, vertical = c.inputs()
    kwargs = {} if c.norm is None else {"norm": c.norm}
    return {"magnitude": st.edge_magnitude(horizontal, vertical, **kwargs)}


@edge_magnitude.reference
def _(c: MagnitudeCase, device: str) -> dict:
    h, v = (tensor(a, device) for a in c.inputs())
    out = h.abs() + v.abs() if c.norm == "l1" else torch.sqrt(h**2 + v**2)
    return {"magnitude": to_numpy(out)}


@suite.check("q2", ["max", "l3", "linf"], title="edge_magnitude rejects an unknown norm")
def edge_magnitude_rejects(st, norm: str):
    h, v = MagnitudeCase((3, 4), 56, "l1").inputs()
    etype, message = raised_with_message(st.edge_magnitude, h, v, norm=norm)
    return {"exception": etype, "message names 'l1' and 'l2'": "l1" in message and "l2" in message}


@edge_magnitude_rejects.reference
def _(norm: str, device: str) -> dict:
    return {"exception": "ValueError", "message names 'l1' and 'l2'": True}


# ---------------------------------------------------------------- q3 box_kernels


@suite.check("q3", [3, 5, 7, 9, None], title="box_kernels")
def box_kernels(st, size: int | None):
    return {"kernels": st.box_kernels() if size is None else st.box_kernels(size)}


@box_kernels.reference
def _(size: int | None, device: str) -> dict:
    return {"kernels": to_numpy(_torch_box_kernels(5 if size is None else size, device))}


@suite.check("q3", [4, 1], title="box_kernels rejects a size that is even or < 3")
def box_kernels_rejects(st, size: int):
    etype = raised(st.box_kernels, size)
    return {"exception": etype}


@box_kernels_rejects.reference
def _(size: int, device: str) -> dict:
    return {"exception": "ValueError"}


# ---------------------------------------------------------------- q4 box_score


@dataclass(frozen=True)
class ScoreCase:
    shape: tuple[int, int]
    size: int | None  # None: the default is used (not passed)
    seed: int
    from_scene: bool = False  # the Sobel edges of a binary scene instead of random edges

    def __str__(self) -> str:
        what = "edges of a binary scene" if self.from_scene else "random edges"
        return f"{what} (2, {self.shape[0]}, {self.shape[1]}), " + ("default size" if self.size is None else f"size={self.size}")

    @tabled
    def edges(self) -> np.ndarray:
        if self.from_scene:
            image = Scene(self.seed, self.shape, 2, ("large box", "wide rectangle"), border_boxes=1).build()[0]
            return to_numpy(_torch_edges(image, "cpu"))
        return np.random.default_rng(self.seed).standard_normal((2, *self.shape))


SCORE_CASES = [
    ScoreCase((6, 8), 5, 61),
    ScoreCase((9, 7), 3, 62),
    ScoreCase((10, 12), 7, 63),
    ScoreCase((4, 6), 7, 64),
    ScoreCase((1, 1), 5, 65),
    ScoreCase((12, 12), 9, 66),
    ScoreCase((28, 30), None, 67, from_scene=True),
]


@suite.check("q4", SCORE_CASES, title="box_score")
def box_score(st, c: ScoreCase):
    kwargs = {} if c.size is None else {"size": c.size}
    return {"score": st.box_score(c.edges(), **kwargs)}


@box_score.reference
def _(c: ScoreCase, device: str) -> dict:
    size = 5 if c.size is None else c.size
    out = F.conv2d(tensor(c.edges(), device)[None], _torch_box_kernels(size, device), padding=size // 2)
    return {"score": to_numpy(out[0, 0])}


# ---------------------------------------------------------------- q6-q8 parameter counts of layers

META_ABOVE = 20_000_000  # modules with more parameters than this are built on the meta device


def _count(module: nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters()))


def _where(numel: int, device: str) -> str:
    return "meta" if numel > META_ABOVE else device


@dataclass(frozen=True)
class LinearCase:
    in_features: int
    out_features: int
    bias: bool | None  # None: the default is used (not passed)

    def __str__(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}" + ("" if self.bias is None else f", bias={self.bias}")


def _random_linear_cases(seed: int, n: int) -> list[LinearCase]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        a, b = (int(v) for v in rng.integers(1, 3000, 2))
        cases.append(LinearCase(a, b, [None, True, False][int(rng.integers(3))]))
    return cases


LINEAR_CASES = [*_random_linear_cases(71, 10), LinearCase(1, 1, False), LinearCase(40_000, 50_000, None)]


@suite.check("q6", LINEAR_CASES, title="linear_param_count")
def linear_param_count(st, c: LinearCase):
    kwargs = {} if c.bias is None else {"bias": c.bias}
    return {"count": st.linear_param_count(c.in_features, c.out_features, **kwargs)}


@linear_param_count.reference
def _(c: LinearCase, device: str) -> dict:
    where = _where(c.in_features * c.out_features, device)
    return {"count": _count(nn.Linear(c.in_features, c.out_features, bias=c.bias is not False, device=where))}


@dataclass(frozen=True)
class ConvCountCase:
    in_channels: int
    out_channels: int
    kernel_size: int | tuple[int, ...]
    bias: bool | None  # None: the default is used (not passed)

    def __str__(self) -> str:
        return (
            f"in_channels={self.in_channels}, out_channels={self.out_channels}, kernel_size={self.kernel_size}"
            + ("" if self.bias is None else f", bias={self.bias}")
        )


def _random_conv_cases(seed: int, n: int) -> list[ConvCountCase]:
    rng = np.random.default_rng(seed)
    cases = []
    for index in range(n):
        c_in, c_out = (int(v) for v in rng.integers(1, 65, 2))
        dims = index % 5  # 0: an int; 1..4: a tuple of that many dimensions
        taps = [int(v) for v in rng.integers(1, 8, max(dims, 1))]
        kernel = taps[0] if dims == 0 else tuple(taps)
        cases.append(ConvCountCase(c_in, c_out, kernel, [None, True, False][int(rng.integers(3))]))
    return cases


CONV_COUNT_CASES = [*_random_conv_cases(72, 15), ConvCountCase(3, 16, (1, 1), False), ConvCountCase(2, 5, (3, 5), True)]


@suite.check("q7", CONV_COUNT_CASES, title="conv_param_count")
def conv_param_count(st, c: ConvCountCase):
    kwargs = {} if c.bias is None else {"bias": c.bias}
    return {"count": st.conv_param_count(c.in_channels, c.out_channels, c.kernel_size, **kwargs)}


@conv_param_count.reference
def _(c: ConvCountCase, device: str) -> dict:
    bias = c.bias is not False
    kernel = (c.kernel_size,) if isinstance(c.kernel_size, int) else c.kernel_size
    layer = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}.get(len(kernel))
    if layer is not None:
        return {"count": _count(layer(c.in_channels, c.out_channels, kernel, bias=bias, device=device))}
    # torch has no Conv4d: count the parameters such a layer would hold, with the same layout
    weight = nn.Parameter(torch.empty(c.out_channels, c.in_channels, *kernel, device=device))
    return {"count": int(weight.numel()) + (c.out_channels if bias else 0)}


@dataclass(frozen=True)
class MlpCase:
    layer_sizes: tuple[int, ...]
    bias: bool | None  # None: the default is used (not passed)

    def __str__(self) -> str:
        return f"layer_sizes={list(self.layer_sizes)}" + ("" if self.bias is None else f", bias={self.bias}")


def _random_mlp_cases(seed: int, n: int) -> list[MlpCase]:
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(n):
        depth = int(rng.integers(2, 7))
        cases.append(MlpCase(tuple(int(v) for v in rng.integers(1, 600, depth)), [None, True, False][int(rng.integers(3))]))
    return cases


MLP_CASES = [*_random_mlp_cases(73, 10), MlpCase((784, 10), None), MlpCase((5, 1, 5), False)]


@suite.check("q8", MLP_CASES, title="mlp_param_count")
def mlp_param_count(st, c: MlpCase):
    kwargs = {} if c.bias is None else {"bias": c.bias}
    return {"count": st.mlp_param_count(list(c.layer_sizes), **kwargs)}


@mlp_param_count.reference
def _(c: MlpCase, device: str) -> dict:
    layers: list[nn.Module] = []
    for a, b in zip(c.layer_sizes[:-1], c.layer_sizes[1:], strict=True):
        layers += [nn.Linear(a, b, bias=c.bias is not False, device=device), nn.ReLU()]
    return {"count": _count(nn.Sequential(*layers[:-1]))}


# ---------------------------------------------------------------- q9-q10 CNNs


@dataclass(frozen=True)
class CnnCase:
    input_shape: tuple[int, int, int]
    layers: tuple[tuple, ...]  # (out_channels, kernel_size, stride, padding)
    num_outputs: int = 10
    bias: bool | None = None  # None: the default is used (not passed)
    label: str = ""

    def __str__(self) -> str:
        bias = "" if self.bias is None else f", bias={self.bias}"
        label = f"{self.label}: " if self.label else ""
        return f"{label}input {self.input_shape}, conv_layers {list(self.layers)}, num_outputs={self.num_outputs}{bias}"

    def body(self, device: str) -> nn.Sequential:
        convs, channels = [], self.input_shape[0]
        for out_channels, kernel_size, stride, padding in self.layers:
            convs.append(nn.Conv2d(channels, out_channels, kernel_size, stride, padding, bias=self.bias is not False, device=device))
            channels = out_channels
        return nn.Sequential(*convs)

    def feature_shape(self, device: str) -> tuple[int, ...]:
        with torch.no_grad():
            out = self.body(device)(torch.zeros(1, *self.input_shape, device=device))
        return tuple(int(v) for v in out.shape[1:])


def _maybe_pair(rng: np.random.Generator, low: int, high: int) -> int | tuple[int, int]:
    a, b = (int(v) for v in rng.integers(low, high + 1, 2))
    return (a, b) if rng.random() < 0.3 else a


def _random_cnn_cases(seed: int, n: int) -> list[CnnCase]:
    """Random architectures whose every layer has a non-empty output."""
    rng = np.random.default_rng(seed)
    cases = []
    while len(cases) < n:
        shape = (int(rng.integers(1, 5)), int(rng.integers(5, 41)), int(rng.integers(5, 41)))
        layers, (h, w) = [], shape[1:]
        for _ in range(int(rng.integers(1, 6))):
            out_channels = int(rng.integers(1, 17))
            kernel, stride, padding = _maybe_pair(rng, 1, 5), _maybe_pair(rng, 1, 3), _maybe_pair(rng, 0, 2)
            (kh, kw), (sh, sw), (ph, pw) = (pair(v) for v in (kernel, stride, padding))
            h2, w2 = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
            if h2 < 1 or w2 < 1:
                break
            layers.append((out_channels, kernel, stride, padding))
            h, w = h2, w2
        bias = [None, True, False][int(rng.integers(3))]
        cases.append(CnnCase(shape, tuple(layers), int(rng.integers(1, 201)), bias))
    return cases


LECTURE_LAYERS = ((3, 3, 1, 0),) * 10  # ten 3x3 convolutions, 3 filters each, stride 1, no padding
LECTURE_CNN = CnnCase((1, 21, 40), LECTURE_LAYERS, 138, None, "the lecture's CNN for MFCC frames")
CNN_CASES = [
    *_random_cnn_cases(74, 14),
    LECTURE_CNN,
    CnnCase((1, 21, 40), LECTURE_LAYERS, 138, False, "the lecture's CNN for MFCC frames, no biases"),
    CnnCase((3, 9, 7), (), 4, None, "no conv layer"),
    CnnCase((2, 13, 16), ((4, (3, 1), (2, 3), (1, 0)), (6, (1, 5), 1, (2, 2))), 7, True, "(h, w) pairs"),
]


@suite.check("q9", CNN_CASES, title="cnn_output_shape")
def cnn_output_shape(st, c: CnnCase):
    return {"shape": st.cnn_output_shape(c.input_shape, list(c.layers))}


@cnn_output_shape.reference
def _(c: CnnCase, device: str) -> dict:
    return {"shape": c.feature_shape(device)}


EMPTY_CASES = [
    CnnCase((1, 3, 3), ((2, 5, 1, 0),)),
    CnnCase((2, 12, 12), ((4, 3, 2, 0), (4, 3, 2, 0), (4, 3, 1, 0))),
    CnnCase((1, 8, 30), ((2, (3, 3), 1, 0), (2, (7, 3), (1, 2), 0))),
]


@suite.check("q9", EMPTY_CASES, title="cnn_output_shape rejects an empty output")
def cnn_output_shape_rejects(st, c: CnnCase):
    etype = raised(st.cnn_output_shape, c.input_shape, list(c.layers))
    return {"exception": etype}


@cnn_output_shape_rejects.reference
def _(c: CnnCase, device: str) -> dict:
    try:
        c.feature_shape(device)
    except RuntimeError:  # torch refuses: "Kernel size can't be greater than actual input size"
        return {"exception": "ValueError"}
    raise AssertionError(f"torch accepts {c}: not an empty output")


@suite.check("q10", CNN_CASES, title="cnn_param_count")
def cnn_param_count(st, c: CnnCase):
    kwargs = {} if c.bias is None else {"bias": c.bias}
    return {"count": st.cnn_param_count(c.input_shape, list(c.layers), c.num_outputs, **kwargs)}


@cnn_param_count.reference
def _(c: CnnCase, device: str) -> dict:
    flat = int(np.prod(c.feature_shape(device)))
    net = nn.Sequential(c.body(device), nn.Flatten(), nn.Linear(flat, c.num_outputs, bias=c.bias is not False, device=device))
    return {"count": _count(net)}
