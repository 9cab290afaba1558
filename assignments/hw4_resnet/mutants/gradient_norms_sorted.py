"""gradient_norms sorted by name instead of in the model's order

The list follows model.named_parameters(): from the input to the output. Sorting the names
alphabetically puts "stem" after "stages", so the first entry is no longer the first layer
and a first/last ratio measures the wrong layers. See §8 of the handout.
"""

# target: models.py

import torch.nn.functional as F
from torch import nn


def gradient_norms(model: nn.Module, x, y):
    conv_weights = {id(m.weight) for m in model.modules() if isinstance(m, nn.Conv2d)}
    model.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    return sorted((name, float(p.grad.norm())) for name, p in model.named_parameters() if id(p) in conv_weights)
