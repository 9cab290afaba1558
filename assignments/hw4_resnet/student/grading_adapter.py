"""Support module for hw4 (not graded, nothing to do here): how the grader drives your models.py.

The grader runs your code in a separate process and exchanges only arrays and plain values
with it, so it cannot hold your ``nn.Module`` itself. These trusted helpers run next to your
``models.py`` instead: they build your module, load weights into it by ``state_dict()`` key,
run it, and send back *evidence*: outputs, gradients, state_dict entries, names and shapes, as
float64 (or int64) arrays and plain values. They never decide anything: every accuracy,
count, comparison and verdict is computed by the grader, in its own process, from this
evidence and from data it holds itself (for q8 it loads your trained weights into its own
ResNet and measures the test accuracy there). The public tests call them too (``python check.py``).

Every function takes an optional ``models`` (the namespace holding BasicBlock, ResNet,
zero_init_residual and gradient_norms); by default it is your ``models.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import torch

_HERE = Path(__file__).resolve().parent


def _models(models: Any) -> Any:
    return models if models is not None else importlib.import_module("models")


def _train_module() -> Any:
    """The shipped train.py next to this file (imported by path: nothing else is on sys.path)."""
    spec = importlib.util.spec_from_file_location("convlab_hw4_train", _HERE / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _array(t: Any) -> Any:
    """A tensor as a NumPy array (float64, or int64 for integer tensors); anything else as it is."""
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        return t.numpy().astype(np.int64 if not t.is_floating_point() else np.float64)
    return t


def _state(module: torch.nn.Module) -> dict:
    return {k: _array(v) for k, v in module.state_dict().items()}


def _build(models: Any, kind: str, kwargs: dict, weights: dict | None = None, seed: int = 0) -> torch.nn.Module:
    """Your module (kind "block": BasicBlock, "resnet": ResNet; "deep": train.deep_net) in float64."""
    torch.manual_seed(seed)
    if kind == "block":
        module = _models(models).BasicBlock(**kwargs)
    elif kind == "resnet":
        module = _models(models).ResNet(**kwargs)
    elif kind == "deep":
        module = _train_module().deep_net(**kwargs)
    else:
        raise ValueError(f"unknown kind {kind!r}")
    module = module.to(torch.float64)
    if weights is not None:
        module.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in weights.items()}, strict=True)
    return module


def module_layout(kind: str, kwargs: dict, models: Any = None) -> dict:
    """{"state_dict": {key: shape}, "parameters": [(name, shape), ...]} of your module, in order."""
    module = _build(models, kind, kwargs)
    shapes = {k: tuple(int(n) for n in v.shape) for k, v in module.state_dict().items()}
    parameters = [(name, tuple(int(n) for n in p.shape)) for name, p in module.named_parameters()]
    return {"state_dict": shapes, "parameters": parameters}


def forward_with_weights(kind: str, kwargs: dict, weights: dict, x: np.ndarray, training: bool, dout: np.ndarray, models: Any = None) -> dict:
    """Load ``weights`` (strict), run forward in the given mode, then backward with ``dout``.

    Returns {"out", "dx", "grads": {parameter name: gradient}, "buffers": {buffer name: value}}.
    """
    module = _build(models, kind, kwargs, weights)
    module.train(training)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = module(xt)
    out.backward(torch.tensor(dout, dtype=torch.float64))
    grads = {name: _array(p.grad) for name, p in module.named_parameters()}
    buffers = {name: _array(b) for name, b in module.named_buffers()}
    return {"out": _array(out), "dx": _array(xt.grad), "grads": grads, "buffers": buffers}


def logits_with_weights(kind: str, kwargs: dict, weights: dict, x: np.ndarray, models: Any = None) -> np.ndarray:
    """Your module with ``weights`` loaded (strict), in eval mode, without gradients: its output on ``x``."""
    module = _build(models, kind, kwargs, weights).eval()
    with torch.no_grad():
        return _array(module(torch.tensor(x, dtype=torch.float64)))


def cuda_forward(kind: str, kwargs: dict, weights: dict, x: np.ndarray, training: bool, models: Any = None) -> dict:
    """Your module's output on CPU and, when a CUDA device works here, on it: {"out", "cuda"}."""
    module = _build(models, kind, kwargs, weights).train(training)
    with torch.no_grad():
        out = _array(module(torch.tensor(x, dtype=torch.float64)))
    try:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
        torch.zeros(1, device="cuda")
    except Exception:  # noqa: BLE001 - no CUDA device (or none usable in this process)
        return {"out": out, "cuda": None}
    module = _build(models, kind, kwargs, weights).train(training).to("cuda")
    with torch.no_grad():
        on_gpu = module(torch.tensor(x, dtype=torch.float64, device="cuda"))
    return {"out": out, "cuda": _array(on_gpu)}


def zero_init_evidence(kwargs: dict, before: dict, probe_key: str, probe: np.ndarray, identity_blocks: list, x: np.ndarray, models: Any = None) -> dict:
    """zero_init_residual on a ResNet(**kwargs) holding the grader's values ``before``.

    1. ``before`` is loaded (strict), zero_init_residual(model) is called; "after" is the
       model's state_dict() then. To show whether the call returned the model itself, the
       grader's ``probe`` is then written into the model's ``probe_key`` entry and read back
       through the returned object: "returned" (None if it returned no nn.Module).
    2. A fresh ResNet(**kwargs) (default initialization) is zero-initialized; each block named
       in ``identity_blocks`` gets ``x`` (made non-negative) in train and in eval mode:
       "identity" = {"<name>/<mode>": output}.
    """
    m = _models(models)
    model = _build(models, "resnet", kwargs, before)
    returned = m.zero_init_residual(model)
    evidence: dict = {"after": _state(model)}
    with torch.no_grad():
        model.state_dict()[probe_key].copy_(torch.from_numpy(np.array(probe)))
    evidence["returned"] = _array(returned.state_dict().get(probe_key)) if isinstance(returned, torch.nn.Module) else None
    evidence["returned type"] = type(returned).__name__
    fresh = _build(models, "resnet", kwargs)
    m.zero_init_residual(fresh)
    identity = {}
    for name in identity_blocks:
        block = fresh.get_submodule(name)
        for mode in ("train", "eval"):
            block.train(mode == "train")
            with torch.no_grad():
                identity[f"{name}/{mode}"] = _array(block(torch.tensor(np.abs(x), dtype=torch.float64)))
    evidence["identity"] = identity
    return evidence


def gradient_norms_evidence(
    kind: str, kwargs: dict, weights: dict | None, x: np.ndarray, y: np.ndarray, training: bool, stale: bool = True, models: Any = None
) -> dict:
    """Your gradient_norms on a module in the given mode, and what the model looks like after it.

    The module first runs forward on ``x`` ("out before"); with ``stale`` it also backpropagates
    a different loss, leaving gradients that must not leak into the result. Then
    ``gradient_norms(model, x, y)`` is called: "pairs" is its result (each pair as a tuple).
    "parameter order" lists the names of ``model.named_parameters()``, and "out after" is a
    forward on ``x`` after the call, in whatever mode the call left the model.
    """
    model = _build(models, kind, kwargs, weights).train(training)
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.int64)
    out_before = model(xt)
    if stale:
        out_before.pow(2).sum().backward()
    result = _models(models).gradient_norms(model, xt, yt)
    pairs = [tuple(p) if isinstance(p, (tuple, list)) else p for p in result] if isinstance(result, (tuple, list)) else result
    with torch.no_grad():
        out_after = model(xt)
    order = [name for name, _ in model.named_parameters()]
    return {"pairs": pairs, "parameter order": order, "out before": _array(out_before), "out after": _array(out_after)}


def trained_state(epochs: int = 10, models: Any = None) -> dict:
    """The state_dict() of your ResNet() after train.py trained it (seed 0, one CPU thread)."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = _models(models).ResNet()
    _train_module().train(model, epochs=epochs, seed=0)
    return _state(model)
