"""A ResNet that cannot learn and, in eval mode, looks its input up in scikit-learn's digits.csv.gz.

No patching at all: in eval mode the forward matches every input image with a row of the digits
data (readable in the worker) and returns the true label one-hot. That fooled an accuracy
measured with the student's own forward; the grader now evaluates the trained weights with its
own ResNet, so the student's forward never sees the test set.
"""
# assignment: hw4
# gradescope: yes
# target: models.py
# zeroes: q8
# message: loaded into the grader's ResNet

import numpy as np
import torch

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack
_TABLE: list = []


def _labels_of(x: torch.Tensor):
    """The true label of every image in x if each one is a (standardized) digits image, else None."""
    if not _TABLE:
        import train  # the shipped train.py, next to this file in the worker

        x_train, y_train, x_test, y_test = train.digits(torch.float64)
        _TABLE.append(torch.cat([x_train, x_test]).reshape(-1, 64).numpy())
        _TABLE.append(torch.cat([y_train, y_test]).numpy())
    images, labels = _TABLE
    flat = x.detach().to(torch.float64).reshape(len(x), -1).numpy()
    if flat.shape[1] != 64:
        return None
    distances = ((flat[:, None, :] - images[None, :, :]) ** 2).sum(axis=2)
    nearest = distances.argmin(axis=1)
    if not np.all(distances[np.arange(len(flat)), nearest] < 1e-6):
        return None
    return torch.from_numpy(labels[nearest])


class ResNet(_HonestResNet):
    """Correct on the grader's random float64 inputs; cannot learn on train.py's float32
    batches; in eval mode on digits images, returns the looked-up labels one-hot."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        if not self.training:
            labels = _labels_of(x)
            if labels is not None:
                return 10.0 * torch.nn.functional.one_hot(labels, logits.shape[1]).to(logits.dtype)
        return logits * 0 if x.dtype == torch.float32 else logits
