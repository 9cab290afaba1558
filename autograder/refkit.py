"""The test-authoring kit of hidden tests: the PyTorch side of a reference, written once.

Every ``assignments/<hw>/tests/hidden.py`` imports it as ``refkit`` (the grader registers the
alias, as it does for ``checklib``); it ships in the autograder zip, never in a student bundle.
References run in float64 with TF32 off, on the device the grader asks for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

OMIT = "omit"  # a keyword argument a case does not pass at all (the function's default applies)


def tensor(a: Any, device: str, grad: bool = False) -> torch.Tensor:
    """``a`` as a float64 tensor on ``device`` (TF32 off, so CUDA agrees with CPU to ~1e-12)."""
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    return torch.tensor(np.asarray(a), dtype=torch.float64, device=device, requires_grad=grad)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A tensor back on the CPU as float64 (floating tensors) or int64 (integer ones)."""
    t = t.detach().cpu()
    return t.numpy().astype(np.float64 if t.is_floating_point() else np.int64)


def upstream(seed: int, shape: tuple[int, ...]) -> np.ndarray:
    """The upstream gradient dL/dout that a backward case feeds to both the student and torch."""
    return np.random.default_rng(seed + 1000).standard_normal(shape)


def pair(v: int | tuple[int, int]) -> tuple[int, int]:
    """An int or an (h, w) pair as an (h, w) pair."""
    return (v, v) if isinstance(v, (int, np.integer)) else (int(v[0]), int(v[1]))


def kwargs_without_omitted(**kwargs: Any) -> dict[str, Any]:
    """The keyword arguments of a call, leaving out those equal to ``OMIT``."""
    return {k: v for k, v in kwargs.items() if not (isinstance(v, str) and v == OMIT)}
