"""zero_init_residual zeroes bn1 instead of bn2

The trick zeroes the *last* BatchNorm of the residual branch (bn2.weight): the branch then
outputs bn2.bias = 0 and the block starts as ReLU(x + 0) = x. Zeroing bn1 leaves
bn2(conv2(ReLU(bn1.bias))) = a constant per channel, not zero. See §7 of the handout.
"""

# target: models.py

import torch
from torch import nn


def zero_init_residual(model: nn.Module) -> nn.Module:
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, BasicBlock):
                module.bn1.weight.zero_()
    return model
