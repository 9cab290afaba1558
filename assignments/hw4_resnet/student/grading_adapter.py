"""Support module for hw4 (not graded, nothing to do here): how the grader drives your models.py.

The grader runs your code in a separate process and exchanges only arrays and plain values
with it, so it cannot hold your ``nn.Module`` itself. These trusted helpers run next to your
``models.py`` instead: they build your module, load weights into it by ``state_dict()`` key,
run it, and send back float64 arrays. The public tests call them too (``python check.py``).

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
    if t is None:
        return None
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
        return t.numpy().astype(np.int64 if not t.is_floating_point() else np.float64)
    return t


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


def state_dict_shapes(kind: str, kwargs: dict, models: Any = None) -> dict:
    """{"shapes": {key: shape}, "parameters": number of parameter entries} of your module."""
    module = _build(models, kind, kwargs)
    shapes = {k: tuple(int(n) for n in v.shape) for k, v in module.state_dict().items()}
    return {"shapes": shapes, "parameters": int(sum(p.numel() for p in module.parameters()))}


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


def zero_init_report(kwargs: dict, identity_blocks: list, x: np.ndarray, models: Any = None) -> dict:
    """zero_init_residual on a ResNet(**kwargs): what changed, and what identity blocks compute.

    1. Every parameter is first set to a seeded random value (so a zero is visible), then
       zero_init_residual(model) is called: returns {"returned_model": bool, "changed": sorted
       state_dict keys whose value changed, "after": {key: value}}.
    2. A fresh ResNet(**kwargs) (default initialization) is zero-initialized; each block named in
       ``identity_blocks`` gets ``x`` (made non-negative) in train and in eval mode: returns
       {"identity": {"<name>/<mode>": output}}.
    """
    m = _models(models)
    model = _build(models, "resnet", kwargs)
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.rand(p.shape, generator=generator, dtype=torch.float64) + 0.5)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    returned = m.zero_init_residual(model)
    after = model.state_dict()
    changed = tuple(sorted(k for k in before if k not in after or not torch.equal(before[k], after[k])))
    report = {"returned_model": returned is model, "changed": changed, "after": {k: _array(v) for k, v in after.items()}}
    fresh = m.zero_init_residual(_build(models, "resnet", kwargs))
    identity = {}
    for name in identity_blocks:
        block = fresh.get_submodule(name)
        for mode in ("train", "eval"):
            block.train(mode == "train")
            with torch.no_grad():
                identity[f"{name}/{mode}"] = _array(block(torch.tensor(np.abs(x), dtype=torch.float64)))
    report["identity"] = identity
    return report


def gradient_norms_of(kind: str, kwargs: dict, weights: dict | None, x: np.ndarray, y: np.ndarray, training: bool, models: Any = None) -> dict:
    """Your gradient_norms on a module with stale gradients already present: {"names", "norms"}."""
    model = _build(models, kind, kwargs, weights).train(training)
    xt, yt = torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.int64)
    model(xt).pow(2).sum().backward()  # stale gradients that must not leak into the result
    result = _models(models).gradient_norms(model, xt, yt)
    names = tuple(str(pair[0]) for pair in result)
    norms = np.array([float(pair[1]) for pair in result], dtype=np.float64)
    return {"names": names, "norms": norms, "training": bool(model.training)}


def train_accuracy(epochs: int = 10, models: Any = None) -> list:
    """Test accuracy per epoch of your ResNet() trained by train.py (seed 0, one CPU thread)."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    return [float(a) for a in _train_module().train(_models(models).ResNet(), epochs=epochs, seed=0)]
