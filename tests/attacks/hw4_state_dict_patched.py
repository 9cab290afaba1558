"""A ResNet that cannot learn, and nn.Module.state_dict patched to export weights it never had.

When the adapter exports the trained weights (a state_dict() called from ``trained_state``),
the patched method returns the same keys and shapes filled with values of its own choosing
(here: the weights scaled up, so the untrained network looks "confident"). Elsewhere it is
honest, so q5-q7 keep their points. Only real trained weights make the grader's own ResNet
reach 95 %.
"""
# assignment: hw4
# target: models.py
# otter: no
# zeroes: q8
# message: loaded into the grader's ResNet

import sys

import torch
from torch import nn

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack


class ResNet(_HonestResNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        return logits * 0 if x.dtype == torch.float32 else logits


_honest_state_dict = nn.Module.state_dict


def _state_dict(self, *args, **kwargs):
    state = _honest_state_dict(self, *args, **kwargs)
    frame, exporting = sys._getframe(1), False
    for _ in range(4):  # called from the adapter's trained_state (directly or through a helper)?
        if frame is None:
            break
        exporting |= frame.f_code.co_name == "trained_state"
        frame = frame.f_back
    if exporting and isinstance(self, ResNet):
        return {k: (v * 7 if v.is_floating_point() and "running" not in k else v) for k, v in state.items()}
    return state


nn.Module.state_dict = _state_dict
