"""A ResNet that cannot learn, and train.py's accuracy() replaced by one that always says 1.0.

Every module loaded from a file named train.py (``import train``, or the adapter loading it by
path) gets ``accuracy = lambda *a, **k: 1.0`` right after it executes. The grader computes q8
with its own copy of train.py, in its own process.
"""
# assignment: hw4
# target: models.py
# otter: no
# zeroes: q8
# message: loaded into the grader's ResNet

import importlib.machinery
import sys

import torch

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack


class ResNet(_HonestResNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        return logits * 0 if x.dtype == torch.float32 else logits


def _always_right(*args, **kwargs):
    return 1.0


_honest_exec = importlib.machinery.SourceFileLoader.exec_module


def _exec_module(self, module):
    _honest_exec(self, module)
    if str(getattr(module, "__file__", "")).endswith("train.py"):
        module.accuracy = _always_right


importlib.machinery.SourceFileLoader.exec_module = _exec_module
if "train" in sys.modules:
    sys.modules["train"].accuracy = _always_right
