"""A ResNet that cannot learn, and a forged grading_adapter planted in sys.modules.

At import, models.py loads the real grading_adapter.py by path, replaces the function that
exports the trained weights with one that returns a verdict instead (ten epochs at 0.99), and
registers the result as sys.modules["grading_adapter"], which the worker then imports. The
grader accepts evidence only: a verdict is refused, and the rest of the adapter still works.
"""
# assignment: hw4
# target: models.py
# otter: no
# zeroes: q8
# message: expected a dict of arrays

import importlib.util
import os
import sys

import torch

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack


class ResNet(_HonestResNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        return logits * 0 if x.dtype == torch.float32 else logits


def _plant() -> None:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "grading_adapter.py")
    if not os.path.isfile(path) or "grading_adapter" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location("grading_adapter", path)
    fake = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fake)
    fake.trained_state = lambda epochs=10, models=None: [0.99] * epochs
    fake.train_accuracy = lambda epochs=10, models=None: [0.99] * epochs
    sys.modules["grading_adapter"] = fake


_plant()
