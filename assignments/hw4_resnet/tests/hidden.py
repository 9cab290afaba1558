"""hw4 hidden tests: Part 1 against the same block built in torch.nn, Part 2 against reference modules.

Never shipped to students. Part 1 (NumPy) calls the student's functions directly and compares
outputs, running statistics and every gradient with a float64 ``torch.nn`` block holding the
same weights (CPU, and CUDA when present with TF32 off). Part 2 (PyTorch) drives the student's
modules through the trusted ``grading_adapter``, which runs beside the student's code in the
worker and is therefore under its control: it only ever sends back *evidence* (outputs,
gradients, state_dict entries, names and shapes). Every number that decides points (parameter
counts, which entries changed, whether the model was returned, the model's mode, the test
accuracy of the trained ResNet) is computed here, in the grader's process, from that evidence
and from data the grader holds itself. Cases stay at or below (4, 8, 8, 8) so a loop-based
submission is fast, and are chosen to break the mutant catalog.
"""

from __future__ import annotations

import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from checklib import CheckFailure, Suite, assert_array, assert_value, expect_tuple, raised, release_workers
from refkit import F, nn, tabled, tensor, to_numpy, torch, upstream

suite = Suite(hidden=True)

HERE = Path(__file__).resolve().parent
_TRUSTED: dict[str, Any] = {}


def _trusted(name: str) -> Any:
    """A trusted support module of the assignment (grading_adapter, train), imported by path in
    this process: the shipped file from ``student/``, never the copy in the student's worker."""
    if name not in _TRUSTED:
        for path in (HERE / f"{name}.py", HERE.parent / "student" / f"{name}.py"):
            if path.is_file():
                spec = importlib.util.spec_from_file_location(f"convlab_hw4_trusted_{name}", path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                _TRUSTED[name] = module
                break
        else:
            raise CheckFailure(f"{name}.py is missing: it ships with the assignment")
    return _TRUSTED[name]


def _drive(st: Any, fn: str, *args: Any, uses: tuple[str, ...] = ()) -> Any:
    """Call the adapter's ``fn`` on the student's models: in the grader's worker through the
    proxy, or here when ``st`` holds the real classes (a module namespace)."""
    for name in uses:
        getattr(st, name, None)  # the student functions this check exercises (for diagnoses)
    if isinstance(getattr(st, "BasicBlock", None), type):
        return getattr(_trusted("grading_adapter"), fn)(*args, models=st)
    return getattr(st, fn)(*args)


def _evidence(value: Any, keys: tuple[str, ...], what: str) -> dict:
    """The adapter's reply, or a failure if it is not the dict of evidence it must be."""
    if not isinstance(value, dict) or not set(keys) <= set(value):
        raise CheckFailure(f"{what}: the grading adapter sent back {type(value).__name__}, not the evidence {list(keys)} (is grading_adapter.py replaced or patched?)")
    return value


def _integer(value: Any) -> Any:
    """A num_batches_tracked as a 0-d int64 array (from an int, a NumPy integer or a 0-d
    integer array); anything else (a float, a bool) is returned as it is."""
    if isinstance(value, (bool, np.bool_)):
        return value
    if isinstance(value, (int, np.integer)):
        return np.asarray(value, dtype=np.int64)
    if isinstance(value, np.ndarray) and value.dtype.kind in "iu":
        return value.astype(np.int64)
    return value


def _close(a: Any, b: np.ndarray) -> bool:
    """Same shape and values within a relative 1e-9 (never an exact float comparison)."""
    return isinstance(a, np.ndarray) and a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


# ---------------------------------------------------------------- reference modules (torch.nn)


@functools.cache
def _reference_classes() -> tuple[type, type]:
    """The reference BasicBlock and ResNet in torch.nn, defined on first use (torch loads lazily:
    graded from the zip, most checks read their inputs and references from the table)."""

    class RefBlock(nn.Module):
        def __init__(self, c_in: int, c_out: int, stride: int = 1, residual: bool = True) -> None:
            super().__init__()
            self.use_skip = residual
            self.conv1 = nn.Conv2d(c_in, c_out, kernel_size=3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(c_out)
            self.conv2 = nn.Conv2d(c_out, c_out, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(c_out)
            if residual:
                needs = stride != 1 or c_in != c_out
                layers = [nn.Conv2d(c_in, c_out, kernel_size=1, stride=stride, bias=False), nn.BatchNorm2d(c_out)]
                self.shortcut = nn.Sequential(*layers) if needs else nn.Sequential()

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            x = inputs
            y = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(y + self.shortcut(x)) if self.use_skip else torch.relu(y)


    class RefResNet(nn.Module):
        def __init__(self, in_channels=1, num_classes=10, channels=(8, 16, 32), blocks_per_stage=(1, 1, 1), residual=True) -> None:
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(in_channels, channels[0], kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(channels[0]), nn.ReLU())
            stages, width = [], channels[0]
            for s, (c, k) in enumerate(zip(channels, blocks_per_stage, strict=True)):
                stages.append(nn.Sequential(*[RefBlock(width if b == 0 else c, c, 2 if (s and not b) else 1, residual) for b in range(k)]))
                width = c
            self.stages = nn.Sequential(*stages)
            self.fc = nn.Linear(channels[-1], num_classes)

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            x = inputs
            return self.fc(F.adaptive_avg_pool2d(self.stages(self.stem(x)), 1).flatten(1))

    return RefBlock, RefResNet


def RefBlock(*args: Any, **kwargs: Any) -> nn.Module:  # noqa: N802 - reads like the class it builds
    return _reference_classes()[0](*args, **kwargs)


def RefResNet(*args: Any, **kwargs: Any) -> nn.Module:  # noqa: N802
    return _reference_classes()[1](*args, **kwargs)


def _reference_module(kind: str, kwargs: dict) -> nn.Module:
    if kind == "block":
        k = dict(kwargs)
        return RefBlock(k.pop("in_channels"), k.pop("out_channels"), **k)
    return RefResNet(**kwargs)


# ---------------------------------------------------------------- Part 1: BatchNorm


@dataclass(frozen=True)
class BNCase:
    shape: tuple[int, int, int, int]
    training: bool
    seed: int
    momentum: float | None = None  # None: not passed (the default 0.1)

    def __str__(self) -> str:
        extra = f", momentum={self.momentum}" if self.momentum is not None else ""
        return f"x of shape {self.shape}, training={self.training}{extra}"

    def inputs(self) -> tuple[np.ndarray, ...]:
        rng = np.random.default_rng(self.seed)
        c = self.shape[1]
        x = 2.0 * rng.standard_normal(self.shape) + 0.5
        return x, 1 + 0.3 * rng.standard_normal(c), 0.2 * rng.standard_normal(c), 0.3 * rng.standard_normal(c), 0.5 + rng.random(c)

    @property
    def kwargs(self) -> dict:
        kw: dict = {"training": self.training}
        if self.momentum is not None:
            kw["momentum"] = self.momentum
        return kw

    def torch_forward(self, device: str, grad: bool = False):
        x, gamma, beta, mean, var = (tensor(a, device, grad) for a in self.inputs())
        mean, var = mean.detach(), var.detach()
        out = F.batch_norm(x, mean, var, gamma, beta, training=self.training, momentum=self.momentum or 0.1, eps=1e-5)
        return (x, gamma, beta), out, mean, var


BN_CASES = [
    BNCase((4, 3, 5, 5), True, 1),
    BNCase((4, 3, 5, 5), False, 2),
    BNCase((1, 2, 3, 4), True, 3),
    BNCase((2, 4, 1, 1), True, 4),
    BNCase((3, 2, 4, 6), True, 5, momentum=0.3),
    BNCase((1, 3, 1, 1), False, 6),
    BNCase((2, 5, 3, 2), False, 7),
]


def _bn_sizes(c: BNCase) -> dict:
    """The case's named sizes, for the grader's feedback on a scaled output (e.g. divided by N)."""
    return {"sizes": dict(zip(("N", "C", "H", "W"), c.shape, strict=True))}


@suite.check("q1", BN_CASES, title="batchnorm2d_forward", geometry=_bn_sizes)
def batchnorm2d_forward(st, c: BNCase):
    out, mean, var, _cache = expect_tuple("batchnorm2d_forward", st.batchnorm2d_forward(*c.inputs(), **c.kwargs), 4)
    return {"out": out, "running_mean": mean, "running_var": var}


@batchnorm2d_forward.reference
def _(c: BNCase, device: str) -> dict:
    _inputs, out, mean, var = c.torch_forward(device)
    return {"out": to_numpy(out), "running_mean": to_numpy(mean), "running_var": to_numpy(var)}


@suite.check("q1", [(1, 3, 1, 1), (1, 1, 1, 1)], title="batchnorm2d_forward refuses one value per channel in training")
def batchnorm2d_single_value(st, shape):
    x = np.ones(shape)
    c = shape[1]
    exception = raised(st.batchnorm2d_forward, x, np.ones(c), np.zeros(c), np.zeros(c), np.ones(c), training=True)
    assert_value("the exception raised", exception, "ValueError", context=f"batchnorm2d_forward(x of shape {shape}, training=True)")


@suite.check("q2", BN_CASES, title="batchnorm2d_backward", geometry=_bn_sizes)
def batchnorm2d_backward(st, c: BNCase):
    out, _mean, _var, cache = expect_tuple("batchnorm2d_forward", st.batchnorm2d_forward(*c.inputs(), **c.kwargs), 4)
    dx, dgamma, dbeta = expect_tuple("batchnorm2d_backward", st.batchnorm2d_backward(upstream(c.seed, np.shape(out)), cache), 3)
    return {"dx": dx, "dgamma": dgamma, "dbeta": dbeta}


@batchnorm2d_backward.reference
def _(c: BNCase, device: str) -> dict:
    (x, gamma, beta), out, _mean, _var = c.torch_forward(device, grad=True)
    out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
    return {"dx": to_numpy(x.grad), "dgamma": to_numpy(gamma.grad), "dbeta": to_numpy(beta.grad)}


# ---------------------------------------------------------------- Part 1: the block


@dataclass(frozen=True)
class BlockCase:
    n: int
    c_in: int
    c_out: int
    size: tuple[int, int]
    stride: int
    training: bool
    seed: int
    tracked: bool = False  # params hold the num_batches_tracked entries of a real state_dict()

    def __str__(self) -> str:
        s = f"N={self.n}, C_in={self.c_in}, C_out={self.c_out}, input {self.size[0]}x{self.size[1]}, stride={self.stride}, training={self.training}"
        return s + (", with num_batches_tracked" if self.tracked else "")

    @property
    def projection(self) -> bool:
        return self.stride != 1 or self.c_in != self.c_out

    def x(self) -> np.ndarray:
        return np.random.default_rng(self.seed).standard_normal((self.n, self.c_in, *self.size))

    def params(self) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(self.seed + 500)
        co, ci = self.c_out, self.c_in
        p = {"conv1.weight": 0.4 * rng.standard_normal((co, ci, 3, 3))}
        names = ["bn1", "bn2"] + (["shortcut.1"] if self.projection else [])
        for bn in names:
            if bn == "bn2":
                p["conv2.weight"] = 0.4 * rng.standard_normal((co, co, 3, 3))
            if bn == "shortcut.1":
                p["shortcut.0.weight"] = 0.6 * rng.standard_normal((co, ci, 1, 1))
            p[f"{bn}.weight"] = 1 + 0.3 * rng.standard_normal(co)
            p[f"{bn}.bias"] = 0.3 * rng.standard_normal(co)
            p[f"{bn}.running_mean"] = 0.3 * rng.standard_normal(co)
            p[f"{bn}.running_var"] = 0.5 + rng.random(co)
            if self.tracked:
                p[f"{bn}.num_batches_tracked"] = np.array(self.seed % 7, dtype=np.int64)
        return p

    def torch_block(self, device: str) -> RefBlock:
        block = RefBlock(self.c_in, self.c_out, self.stride).to(torch.float64)
        state = {k: torch.tensor(v) for k, v in self.params().items()}
        block.load_state_dict(state, strict=self.tracked)
        return block.to(device).train(self.training)


BLOCK_CASES = [
    BlockCase(2, 4, 4, (6, 6), 1, True, 21),
    BlockCase(2, 4, 4, (6, 6), 1, False, 22),
    BlockCase(3, 4, 4, (7, 7), 2, True, 23),
    BlockCase(2, 3, 6, (5, 5), 1, True, 24, tracked=True),
    BlockCase(2, 3, 6, (7, 5), 2, True, 25),
    BlockCase(2, 3, 6, (7, 5), 2, False, 26, tracked=True),
    BlockCase(1, 4, 4, (5, 6), 1, True, 27),
    BlockCase(1, 2, 4, (4, 5), 2, True, 28),
    BlockCase(4, 8, 8, (8, 8), 1, True, 29, tracked=True),
    BlockCase(2, 4, 4, (5, 7), 2, False, 30),
    BlockCase(4, 4, 8, (8, 8), 2, True, 31),
]


def _state_outputs(state: Any, context: str) -> dict:
    if not isinstance(state, dict):
        raise CheckFailure(f"{context}: state is a {type(state).__name__}, expected a dict keyed like the block's buffers")
    result: dict = {"state keys": tuple(sorted(state))}
    for key, value in state.items():
        if key.endswith("num_batches_tracked"):
            value = _integer(value)
            if not (isinstance(value, np.ndarray) and value.dtype == np.int64):
                kind = f"a numpy array of dtype {value.dtype}" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
                raise CheckFailure(f"{context}: state[{key!r}] is {kind}, expected an integer (a 0-d integer array or an int)")
        result[f"state[{key!r}]"] = value
    return result


@suite.check("q3", BLOCK_CASES, title="residual_block_forward")
def residual_block_forward(st, c: BlockCase):
    out, state, _cache = expect_tuple("residual_block_forward", st.residual_block_forward(c.x(), c.params(), stride=c.stride, training=c.training), 3)
    return {"out": out, **_state_outputs(state, f"residual_block_forward[{c}]")}


@residual_block_forward.reference
def _(c: BlockCase, device: str) -> dict:
    block = c.torch_block(device)
    out = block(tensor(c.x(), device))
    buffers = {k: to_numpy(v) for k, v in block.state_dict().items() if "running" in k or (c.tracked and "num_batches" in k)}
    return {"out": to_numpy(out), "state keys": tuple(sorted(buffers)), **{f"state[{k!r}]": v for k, v in buffers.items()}}


@suite.check("q4", BLOCK_CASES, title="residual_block_backward")
def residual_block_backward(st, c: BlockCase):
    out, _state, cache = expect_tuple("residual_block_forward", st.residual_block_forward(c.x(), c.params(), stride=c.stride, training=c.training), 3)
    dx, grads = expect_tuple("residual_block_backward", st.residual_block_backward(upstream(c.seed, np.shape(out)), cache), 2)
    if not isinstance(grads, dict):
        raise CheckFailure(f"residual_block_backward[{c}]: grads is a {type(grads).__name__}, expected a dict")
    return {"dx": dx, "grads keys": tuple(sorted(grads)), **{f"grads[{k!r}]": v for k, v in grads.items()}}


@residual_block_backward.reference
def _(c: BlockCase, device: str) -> dict:
    block = c.torch_block(device)
    x = tensor(c.x(), device, grad=True)
    out = block(x)
    out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
    grads = {k: to_numpy(p.grad) for k, p in block.named_parameters()}
    return {"dx": to_numpy(x.grad), "grads keys": tuple(sorted(grads)), **{f"grads[{k!r}]": v for k, v in grads.items()}}


@dataclass(frozen=True)
class BadShortcut:
    case: BlockCase
    drop: bool  # True: the projection is needed and missing; False: given but not needed

    def __str__(self) -> str:
        return f"{self.case}, projection {'missing' if self.drop else 'given but not needed'}"


BAD_SHORTCUTS = [
    BadShortcut(BlockCase(2, 4, 4, (6, 6), 2, True, 41), drop=True),
    BadShortcut(BlockCase(2, 3, 5, (4, 4), 1, False, 42), drop=True),
    BadShortcut(BlockCase(2, 4, 4, (6, 6), 2, True, 43), drop=False),
    BadShortcut(BlockCase(1, 3, 3, (5, 4), 2, False, 44), drop=False),
]


@suite.check("q3", BAD_SHORTCUTS, title="residual_block_forward raises ValueError naming the shortcut keys")
def residual_block_bad_shortcut(st, b: BadShortcut):
    params = b.case.params()
    if b.drop:
        params = {k: v for k, v in params.items() if not k.startswith("shortcut.")}
        stride = b.case.stride
    else:
        stride = 1  # the case's params hold a projection (stride 2, same channels): ask for none
    context = f"residual_block_forward[{b}]"
    try:
        st.residual_block_forward(b.case.x(), params, stride=stride, training=b.case.training)
    except Exception as exc:  # noqa: BLE001
        etype = getattr(exc, "etype", None) if hasattr(exc, "etype") else type(exc).__name__
        if etype is None or isinstance(exc, NotImplementedError):
            raise
        assert_value("the exception raised", etype, "ValueError", context=context)
        if "shortcut" not in str(exc):
            raise CheckFailure(f"{context}: the ValueError does not name the shortcut.* keys") from None
        return
    raise CheckFailure(f"{context}: no exception raised, expected a ValueError naming the shortcut.* keys")


# ---------------------------------------------------------------- Part 2: modules


@dataclass(frozen=True)
class ModuleCase:
    kind: str  # "block" (BasicBlock) or "resnet" (ResNet)
    kwargs: tuple  # sorted (name, value) pairs, hashable
    seed: int
    training: bool = True
    n: int = 2
    size: tuple[int, int] = (8, 8)

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.kwargs)
        name = "BasicBlock" if self.kind == "block" else "ResNet"
        return f"{name}({args}), {'train' if self.training else 'eval'} mode, x of shape {self.x_shape}"

    @property
    def kw(self) -> dict:
        return dict(self.kwargs)

    @property
    def x_shape(self) -> tuple[int, ...]:
        c = self.kw.get("in_channels", 1)
        return (self.n, c, *self.size)

    def x(self) -> np.ndarray:
        return np.random.default_rng(self.seed).standard_normal(self.x_shape)

    def reference(self, device: str = "cpu") -> nn.Module:
        torch.manual_seed(self.seed)
        module = _reference_module(self.kind, self.kw).to(torch.float64)
        generator = torch.Generator().manual_seed(self.seed)
        with torch.no_grad():
            for name, t in module.state_dict().items():
                if name.endswith(("bn1.weight", "bn2.weight", "1.weight")) and t.ndim == 1:
                    t.copy_(1 + 0.3 * torch.randn(t.shape, generator=generator, dtype=torch.float64))
                elif name.endswith(("bias", "running_mean")) and t.ndim == 1:
                    t.copy_(0.3 * torch.randn(t.shape, generator=generator, dtype=torch.float64))
                elif name.endswith("running_var"):
                    t.copy_(0.5 + torch.rand(t.shape, generator=generator, dtype=torch.float64))
                elif name.endswith("num_batches_tracked"):
                    t.fill_(3)
        return module.to(device).train(self.training)

    @tabled
    def weights(self) -> dict[str, np.ndarray]:
        return {k: to_numpy(v) for k, v in self.reference().state_dict().items()}

    @tabled
    def out_shape(self) -> tuple[int, ...]:
        with torch.no_grad():
            return tuple(self.reference()(torch.zeros(self.x_shape, dtype=torch.float64)).shape)


def _kw(**kwargs: Any) -> tuple:
    return tuple(sorted(kwargs.items()))


SHAPE_CASES = [
    ModuleCase("block", _kw(in_channels=4, out_channels=4), 0),
    ModuleCase("block", _kw(in_channels=4, out_channels=8), 0),
    ModuleCase("block", _kw(in_channels=4, out_channels=4, stride=2), 0),
    ModuleCase("block", _kw(in_channels=3, out_channels=6, stride=2, residual=False), 0),
    ModuleCase("resnet", _kw(), 0),
    ModuleCase("resnet", _kw(channels=(4, 8), blocks_per_stage=(2, 1)), 0),
    ModuleCase("resnet", _kw(in_channels=3, num_classes=5, channels=(4, 6, 8), blocks_per_stage=(1, 2, 1)), 0),
    ModuleCase("resnet", _kw(residual=False), 0),
]


def _shape(value: Any, what: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in value):
        raise CheckFailure(f"{what}: the grading adapter sent back the shape {value!r}, not a tuple of sizes")
    return tuple(int(n) for n in value)


@suite.check("q5", SHAPE_CASES, title="state_dict keys, shapes and parameter count")
def module_shapes(st, c: ModuleCase):
    layout = _evidence(_drive(st, "module_layout", c.kind, c.kw, uses=("BasicBlock", "ResNet")), ("state_dict", "parameters"), str(c))
    shapes, parameters = layout["state_dict"], layout["parameters"]
    if not isinstance(shapes, dict) or not isinstance(parameters, (list, tuple)) or not all(isinstance(p, (list, tuple)) and len(p) == 2 for p in parameters):
        raise CheckFailure(f"{c}: the grading adapter sent back malformed names and shapes")
    # the count is made here, from the names and shapes of the parameters
    count = sum(int(np.prod(_shape(shape, str(c)), dtype=np.int64)) for _name, shape in parameters)
    return {"state_dict keys and shapes": tuple(sorted((k, _shape(v, str(c))) for k, v in shapes.items())), "parameter count": count}


@module_shapes.reference
def _(c: ModuleCase, device: str) -> dict:
    module = c.reference()
    shapes = tuple(sorted((k, tuple(v.shape)) for k, v in module.state_dict().items()))
    return {"state_dict keys and shapes": shapes, "parameter count": sum(p.numel() for p in module.parameters())}


FORWARD_CASES = [
    ModuleCase("block", _kw(in_channels=4, out_channels=4), 51, size=(6, 6)),
    ModuleCase("block", _kw(in_channels=4, out_channels=4), 52, training=False, size=(6, 6)),
    ModuleCase("block", _kw(in_channels=3, out_channels=6, stride=2), 53, size=(7, 5)),
    ModuleCase("block", _kw(in_channels=4, out_channels=4, stride=2), 54, training=False, n=1, size=(6, 7)),
    ModuleCase("block", _kw(in_channels=4, out_channels=4, residual=False), 55, size=(5, 5)),
    ModuleCase("block", _kw(in_channels=3, out_channels=6, stride=2, residual=False), 56, training=False, size=(6, 6)),
    ModuleCase("resnet", _kw(), 57, n=4),
    ModuleCase("resnet", _kw(), 58, training=False, n=3),
    ModuleCase("resnet", _kw(channels=(4, 8), blocks_per_stage=(2, 1), residual=False), 59, n=3, size=(7, 7)),
    ModuleCase("resnet", _kw(in_channels=3, num_classes=5, channels=(4, 6, 8), blocks_per_stage=(1, 2, 1)), 60, size=(9, 8)),
]


@suite.check("q5", FORWARD_CASES, title="forward and backward with the reference's weights")
def module_forward(st, c: ModuleCase):
    dout = upstream(c.seed, c.out_shape())
    got = _drive(st, "forward_with_weights", c.kind, c.kw, c.weights(), c.x(), c.training, dout, uses=("BasicBlock", "ResNet"))
    got = _evidence(got, ("out", "dx", "grads", "buffers"), str(c))
    result = {"out": got["out"], "dx": got["dx"]}
    result.update({f"grads[{k!r}]": v for k, v in dict(got["grads"]).items()})
    result.update({f"buffers[{k!r}]": v for k, v in dict(got["buffers"]).items()})
    return result


@module_forward.reference
def _(c: ModuleCase, device: str) -> dict:
    module = c.reference(device)
    x = tensor(c.x(), device, grad=True)
    out = module(x)
    out.backward(tensor(upstream(c.seed, tuple(out.shape)), device))
    result = {"out": to_numpy(out), "dx": to_numpy(x.grad)}
    result.update({f"grads[{k!r}]": to_numpy(p.grad) for k, p in module.named_parameters()})
    result.update({f"buffers[{k!r}]": to_numpy(b) for k, b in module.named_buffers()})
    return result


CUDA_CASES = [ModuleCase("resnet", _kw(), 61, n=3), ModuleCase("resnet", _kw(), 62, training=False, n=2)]


@suite.check("q5", CUDA_CASES, title="the model runs on CUDA (when present) as on CPU")
def module_cuda(st, c: ModuleCase):
    got = _evidence(_drive(st, "cuda_forward", c.kind, c.kw, c.weights(), c.x(), c.training, uses=("BasicBlock", "ResNet")), ("out", "cuda"), str(c))
    # the worker may have no usable CUDA device (then "cuda" is None): this adds a comparison
    # when it has one, and never replaces the CPU output's comparison with the reference
    if got["cuda"] is not None:
        assert_array("the output on CUDA", got["cuda"], np.asarray(got["out"]), rtol=1e-7, atol=1e-9, context=f"{c}, CUDA vs CPU")
    return {"out": got["out"]}


@module_cuda.reference
def _(c: ModuleCase, device: str) -> dict:
    with torch.no_grad():
        return {"out": to_numpy(c.reference(device)(tensor(c.x(), device)))}


# ---------------------------------------------------------------- Part 2: zero_init_residual


@dataclass(frozen=True)
class ZeroInitCase:
    kwargs: tuple
    identity_blocks: tuple[str, ...]
    x_shape: tuple[int, ...]
    seed: int

    def __str__(self) -> str:
        return "ResNet(" + ", ".join(f"{k}={v!r}" for k, v in self.kwargs) + ")"

    def x(self) -> np.ndarray:
        return np.random.default_rng(self.seed).standard_normal(self.x_shape)

    @tabled
    def before(self) -> dict[str, np.ndarray]:
        """The grader's values for every state_dict entry (so that a zero, or any change, shows)."""
        rng = np.random.default_rng(self.seed + 300)
        values = {}
        for key, t in RefResNet(**dict(self.kwargs)).state_dict().items():
            if t.is_floating_point():
                values[key] = 0.5 + rng.random(tuple(t.shape))
            else:
                values[key] = np.array(int(rng.integers(1, 50)), dtype=np.int64)
        return values

    def probe(self) -> np.ndarray:
        return np.random.default_rng(self.seed + 600).standard_normal(dict(self.kwargs).get("num_classes", 10))


ZERO_INIT_CASES = [
    ZeroInitCase(_kw(), ("stages.0.0",), (2, 8, 5, 5), 71),
    ZeroInitCase(_kw(channels=(4, 4), blocks_per_stage=(2, 2)), ("stages.0.0", "stages.0.1", "stages.1.1"), (3, 4, 4, 6), 72),
]


@suite.check("q6", ZERO_INIT_CASES, title="zero_init_residual")
def zero_init(st, c: ZeroInitCase):
    before, probe = c.before(), c.probe()
    evidence = _drive(st, "zero_init_evidence", dict(c.kwargs), before, "fc.bias", probe, list(c.identity_blocks), c.x(), uses=("zero_init_residual",))
    evidence = _evidence(evidence, ("after", "returned", "identity"), f"zero_init_residual({c})")
    after = dict(evidence["after"])
    # decided here: which entries differ from the values the grader loaded, and whether the
    # returned object is the model (it shows the probe written into the model after the call)
    changed = tuple(sorted(k for k in before if not _close(after.get(k), before[k])))
    result = {"zero_init_residual returned the model it was given": _close(evidence["returned"], probe), "changed entries": changed}
    result.update({f"bn2 weight {k!r}": after.get(k) for k in before if k.endswith("bn2.weight")})
    result.update({f"identity block {k}": v for k, v in dict(evidence["identity"]).items()})
    return result


@zero_init.reference
def _(c: ZeroInitCase, device: str) -> dict:
    module = RefResNet(**dict(c.kwargs))
    bn2 = sorted(k for k in module.state_dict() if k.endswith("bn2.weight"))
    result = {"zero_init_residual returned the model it was given": True, "changed entries": tuple(bn2)}
    result.update({f"bn2 weight {k!r}": np.zeros(module.state_dict()[k].shape) for k in bn2})
    for name in c.identity_blocks:
        for mode in ["train", "eval"]:
            result[f"identity block {name}/{mode}"] = np.abs(c.x())
    return result


# ---------------------------------------------------------------- Part 2: gradient_norms


@dataclass(frozen=True)
class NormCase:
    kind: str  # "resnet" (reference weights) or "deep" (train.deep_net, seeded)
    kwargs: tuple
    training: bool
    seed: int
    n: int = 4

    def __str__(self) -> str:
        name = "ResNet" if self.kind == "resnet" else "deep_net"
        return f"{name}(" + ", ".join(f"{k}={v!r}" for k, v in self.kwargs) + f"), {'train' if self.training else 'eval'} mode"

    def inputs(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        return rng.standard_normal((self.n, 1, 8, 8)), rng.integers(0, 10, self.n).astype(np.int64)

    def module_case(self) -> ModuleCase:
        return ModuleCase("resnet", self.kwargs, self.seed, self.training)

    def reference(self) -> nn.Module:
        if self.kind == "resnet":
            return self.module_case().reference()
        return _trusted("train").deep_net(**dict(self.kwargs)).train(self.training)


NORM_CASES = [
    NormCase("resnet", _kw(), True, 81),
    NormCase("resnet", _kw(channels=(4, 8), blocks_per_stage=(2, 1)), False, 82),
    NormCase("deep", _kw(depth=10, residual=False), True, 83),
    NormCase("deep", _kw(depth=10, residual=True), True, 84),
    NormCase("deep", _kw(depth=12, residual=True, batchnorm=True, seed=3), True, 85),
]


def _pairs(pairs: Any, context: str) -> tuple[tuple[str, ...], np.ndarray]:
    """gradient_norms' [(name, norm), ...] as (names, float64 norms): names str, norms floats."""
    if not isinstance(pairs, (list, tuple)) or not all(isinstance(p, tuple) and len(p) == 2 for p in pairs):
        raise CheckFailure(f"{context}: gradient_norms must return a list of (name, norm) pairs, got {pairs!r:.200}")
    for name, norm in pairs:
        if not isinstance(name, str):
            raise CheckFailure(f"{context}: a name is {name!r} ({type(name).__name__}), expected a str")
        if not isinstance(norm, (float, np.floating)):
            raise CheckFailure(f"{context}: the norm of {name!r} is {norm!r} ({type(norm).__name__}), expected a float")
    return tuple(name for name, _ in pairs), np.array([float(norm) for _, norm in pairs], dtype=np.float64)


@suite.check("q7", NORM_CASES, title="gradient_norms", atol=0.0)
def gradient_norms(st, c: NormCase):
    weights = c.module_case().weights() if c.kind == "resnet" else None
    x, y = c.inputs()
    got = _drive(st, "gradient_norms_evidence", c.kind, dict(c.kwargs), weights, x, y, c.training, True, uses=("gradient_norms",))
    got = _evidence(got, ("pairs", "parameter order", "out after"), f"gradient_norms[{c}]")
    names, norms = _pairs(got["pairs"], f"gradient_norms[{c}]")
    by_name = dict(zip(names, norms, strict=True))
    # the order is the model's own named_parameters() order (registration order is the
    # student's choice), so names and norms are compared by name, and the order on its own
    order = [n for n in got["parameter order"] if n in by_name] if isinstance(got["parameter order"], list) else None
    result = {
        "names (sorted)": tuple(sorted(names)),
        "norms (sorted by name)": np.array([by_name[n] for n in sorted(by_name)], dtype=np.float64),
        "the names follow model.named_parameters()": bool(order is not None and tuple(order) == names),
        # the mode the call left the model in shows in a forward after it (BatchNorm: batch
        # statistics in train mode, running ones in eval mode, which a train-mode forward
        # inside the call would have updated)
        "the model's output after the call (mode kept?)": got["out after"],
    }
    return result


@gradient_norms.reference
def _(c: NormCase, device: str) -> dict:
    module = c.reference()
    x, y = (torch.tensor(a) for a in c.inputs())
    module(x).pow(2).sum().backward()  # the adapter's stale gradients, and its first forward
    module.zero_grad(set_to_none=True)
    F.cross_entropy(module(x), y).backward()
    norms = dict(sorted((k, float(p.grad.norm())) for k, p in module.named_parameters() if p.ndim == 4))
    with torch.no_grad():
        out_after = to_numpy(module(x))
    result = {"names (sorted)": tuple(norms), "norms (sorted by name)": np.array(list(norms.values())), "the names follow model.named_parameters()": True}
    return {**result, "the model's output after the call (mode kept?)": out_after}


# ---------------------------------------------------------------- Part 2: it trains

_DIGITS: list[Any] = []
TARGET_ACCURACY = 0.95


@tabled
def _test_split_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The digits test split as train.py defines it (trusted train.py), as arrays."""
    _x_train, _y_train, x_test, y_test = _trusted("train").digits()
    return x_test.numpy(), y_test.numpy()


def _test_split() -> tuple[torch.Tensor, torch.Tensor]:
    if not _DIGITS:
        _DIGITS.extend(torch.from_numpy(a) for a in _test_split_arrays())
    return _DIGITS[0], _DIGITS[1]


def _load_trained(state: Any) -> nn.Module:
    """The grader's own ResNet() holding the student's trained weights, or a failure naming the mismatch."""
    what = "the trained state_dict of your ResNet()"
    if not isinstance(state, dict):
        raise CheckFailure(f"{what} is a {type(state).__name__}, expected a dict of arrays (is grading_adapter.py replaced or patched?)")
    model = RefResNet()
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        parts = ([f"missing keys {missing}"] if missing else []) + ([f"unexpected keys {unexpected}"] if unexpected else [])
        raise CheckFailure(f"{what} does not load into the ResNet of §6: {'; '.join(parts)}")
    for key, t in expected.items():
        value = state[key]
        if not isinstance(value, np.ndarray) or value.dtype.kind not in "fiu":
            raise CheckFailure(f"{what}: {key!r} is a {type(value).__name__}, expected a numeric array")
        if value.shape != tuple(t.shape):
            raise CheckFailure(f"{what} does not load into the ResNet of §6: {key!r} has shape {value.shape}, expected {tuple(t.shape)}")
    model.load_state_dict({k: torch.from_numpy(np.array(state[k])) for k in expected}, strict=True)
    return model


@suite.check("q8", title="ResNet() trained by train.py reaches 95 % test accuracy on digits", timeout=120)
def it_trains(st, _):
    state = _drive(st, "trained_state", 10, uses=("ResNet",))
    release_workers(st)  # the evidence is here: free the worker's torch before the grader loads its own
    # the student's forward never sees the test set: the grader's own ResNet evaluates the weights
    model = _load_trained(state)
    x_test, y_test = _test_split()
    accuracy = _trusted("train").accuracy(model, x_test, y_test)
    if not accuracy >= TARGET_ACCURACY:
        raise CheckFailure(
            f"ResNet() trained for 10 epochs by train.py (seed 0): its trained weights, loaded into the grader's ResNet of §6, "
            f"reach a test accuracy of {accuracy:.3f}, expected at least {TARGET_ACCURACY}"
        )
