"""A ResNet that cannot learn, and torch.Tensor.argmax patched to return the true labels.

In eval mode the forward looks its input up in the digits data and remembers the labels; the
patched ``argmax`` returns them for logits of the same batch. The grader computes q8 in its own
process, with its own ResNet and its own argmax.
"""
# assignment: hw4
# target: models.py
# otter: no
# zeroes: q8
# message: loaded into the grader's ResNet

import numpy as np
import torch

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack
_TABLE: list = []
_LAST: dict = {}


def _labels_of(x: torch.Tensor):
    if not _TABLE:
        import train

        x_train, y_train, x_test, y_test = train.digits(torch.float64)
        _TABLE.extend([torch.cat([x_train, x_test]).reshape(-1, 64).numpy(), torch.cat([y_train, y_test]).numpy()])
    flat = x.detach().to(torch.float64).reshape(len(x), -1).numpy()
    if flat.shape[1] != 64:
        return None
    distances = ((flat[:, None, :] - _TABLE[0][None, :, :]) ** 2).sum(axis=2)
    nearest = distances.argmin(axis=1)
    return torch.from_numpy(_TABLE[1][nearest]) if np.all(distances.min(axis=1) < 1e-6) else None


class ResNet(_HonestResNet):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        if not self.training:
            _LAST["labels"] = _labels_of(x)
        return logits * 0 if x.dtype == torch.float32 else logits


_honest_argmax = torch.Tensor.argmax


def _argmax(self, dim=None, keepdim=False):
    labels = _LAST.get("labels")
    if labels is not None and self.dim() == 2 and dim in (1, -1) and len(labels) == len(self):
        return labels.clone()
    return _honest_argmax(self, dim=dim, keepdim=keepdim)


torch.Tensor.argmax = _argmax
