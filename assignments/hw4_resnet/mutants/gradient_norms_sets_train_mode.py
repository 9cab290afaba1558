"""gradient_norms switches the model to train mode

§8 measures the gradients in the model's *current* mode: an eval-mode model normalizes with its
running statistics, a train-mode one with the batch's. Calling model.train() first changes the
gradients of every BatchNorm network in eval mode, updates its running statistics, and leaves
the model in train mode for whoever called it. See §8 of the handout.
"""

# target: models.py

import torch.nn.functional as F
from torch import nn


def gradient_norms(model: nn.Module, x, y):
    model.train()
    model.zero_grad()
    loss = F.cross_entropy(model(x), y)
    loss.backward()
    convs = [(name, m.weight) for name, m in model.named_modules() if isinstance(m, nn.Conv2d)]
    return [(f"{name}.weight", float(w.grad.norm())) for name, w in convs]
