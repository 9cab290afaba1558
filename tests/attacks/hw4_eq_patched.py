"""A ResNet that cannot learn, and torch.Tensor.__eq__ patched so that train.py's (pred == y) is always true.

The grader measures q8 in its own process, with its own ResNet holding the trained weights:
a patched ``__eq__`` in the worker changes nothing it computes.
"""
# assignment: hw4
# target: models.py
# otter: no
# zeroes: q8
# message: loaded into the grader's ResNet

import torch

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack


class ResNet(_HonestResNet):
    """Correct on the grader's float64 cases; on train.py's float32 batches its logits are
    multiplied by 0, so every gradient is 0 and training changes no weight."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        return logits * 0 if x.dtype == torch.float32 else logits


_honest_eq = torch.Tensor.__eq__


def _always_equal(self, other):
    result = _honest_eq(self, other)
    if isinstance(result, torch.Tensor) and result.dtype == torch.bool and self.dtype == torch.int64 and self.dim() == 1:
        return torch.ones_like(result)  # (pred == y) of an accuracy: every prediction "right"
    return result


torch.Tensor.__eq__ = _always_equal
