"""gradient_norms keeps earlier gradients

backward() *adds* to .grad. Without model.zero_grad() first, the norms include whatever an
earlier backward left behind, e.g. the previous training step's gradients. See §8 of the
handout.
"""

# target: models.py

import torch.nn.functional as F
from torch import nn


def gradient_norms(model: nn.Module, x, y):
    F.cross_entropy(model(x), y).backward()
    return [(name, float(p.grad.norm())) for name, p in model.named_parameters() if p.ndim == 4]
