"""hw4 "Residual networks", Part 2: the same block as an ``nn.Module``, a small ResNet, and tools.

Names matter here: the grader loads weights into your modules by ``state_dict()`` key, so the
attribute names below are part of the specification (§5-§6 of the handout).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F  # noqa: F401 (you will need it)
from torch import nn


class BasicBlock(nn.Module):
    """torchvision's BasicBlock (§5 of the handout), with a switch to remove the skip connection.

    Submodules (their names fix the state_dict() keys):
    - conv1: 3x3 convolution, in_channels -> out_channels, ``stride``, padding 1, no bias
    - bn1: BatchNorm2d(out_channels)
    - conv2: 3x3 convolution, out_channels -> out_channels, stride 1, padding 1, no bias
    - bn2: BatchNorm2d(out_channels)
    - shortcut (only when residual=True): nn.Sequential(1x1 convolution with ``stride``, no
      bias, BatchNorm2d(out_channels)) when stride != 1 or in_channels != out_channels, else a
      module without parameters that returns its input (nn.Identity())

    forward(x) = ReLU(bn2(conv2(ReLU(bn1(conv1(x))))) + shortcut(x)); with residual=False the
    block has no ``shortcut`` attribute and nothing is added (the "plain" block).
    """

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1, residual: bool = True) -> None:
        super().__init__()
        raise NotImplementedError("__init__ is not implemented yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("forward is not implemented yet")


class ResNet(nn.Module):
    """A small ResNet for 8x8 digits (§6 of the handout).

    - stem: nn.Sequential(Conv2d(in_channels, channels[0], 3, stride 1, padding 1, no bias),
      BatchNorm2d(channels[0]), ReLU())
    - stages: nn.Sequential with one nn.Sequential of BasicBlocks per stage: stage s has
      blocks_per_stage[s] blocks with channels[s] output channels; the first block of every
      stage after the first has stride 2, every other block stride 1; every block gets ``residual``
    - then global average pooling over H and W, and fc = nn.Linear(channels[-1], num_classes)

    forward(x) maps (N, in_channels, H, W) to logits (N, num_classes).
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        channels: tuple[int, ...] = (8, 16, 32),
        blocks_per_stage: tuple[int, ...] = (1, 1, 1),
        residual: bool = True,
    ) -> None:
        super().__init__()
        raise NotImplementedError("__init__ is not implemented yet")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("forward is not implemented yet")


def zero_init_residual(model: nn.Module) -> nn.Module:
    """Set the bn2.weight of every BasicBlock in ``model`` to zero, in place (§7 of the handout).

    Every other parameter and buffer keeps its value. A block whose shortcut is the identity
    then computes ReLU(bn2.bias + x) = x for x >= 0 (bn2.bias starts at 0): it starts as the
    identity. Returns ``model``.
    """
    raise NotImplementedError("zero_init_residual is not implemented yet")


def gradient_norms(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> list[tuple[str, float]]:
    """L2 norms of the conv weights' gradients of the mean cross-entropy (§8 of the handout).

    Earlier gradients are discarded (not accumulated); the model stays in its current mode
    (train or eval). One (name, norm) pair per nn.Conv2d weight, main path and shortcut
    convolutions alike, named and ordered as in model.named_parameters(); norm is a Python
    float (not a tensor).
    """
    raise NotImplementedError("gradient_norms is not implemented yet")
