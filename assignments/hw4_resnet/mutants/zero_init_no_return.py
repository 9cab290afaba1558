"""zero_init_residual forgets to return the model

The function works in place *and* returns the model (§7), so that it can be chained:
model = zero_init_residual(ResNet()). Without a return statement it returns None. See §7 of
the handout.
"""

# target: models.py

from torch import nn


def zero_init_residual(model: nn.Module) -> nn.Module:
    for module in model.modules():
        if isinstance(module, BasicBlock):
            nn.init.zeros_(module.bn2.weight)
