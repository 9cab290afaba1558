"""A ResNet that cannot learn, and the adapter's evidence function rewritten through gc.get_objects().

On its first construction the ResNet finds grading_adapter's functions among the garbage
collector's objects and swaps the ``__code__`` of the one that exports the trained weights
(``trained_state``; ``train_accuracy`` in the old adapter) for code that hands back freshly
initialized weights, or a list of 0.99 accuracies. The grader loads whatever comes back into its
own ResNet and measures the accuracy itself.
"""
# assignment: hw4
# target: models.py
# otter: no
# zeroes: q8
# message: loaded into the grader's ResNet

import gc

import torch

_HonestResNet = ResNet  # noqa: F821 - the solution's class, defined above this attack


def _forged_state(epochs=10, models=None):
    # runs with grading_adapter's globals once swapped in: "untrained, but call it trained"
    return _state(_models(models).ResNet())  # noqa: F821


def _forged_accuracies(epochs=10, models=None):
    return [0.99] * epochs


def _swap_adapter_code() -> None:
    for obj in gc.get_objects():
        if type(obj).__name__ == "function" and "adapter" in str(getattr(obj, "__module__", "")):
            if obj.__name__ == "trained_state":
                obj.__code__ = _forged_state.__code__
            elif obj.__name__ == "train_accuracy":
                obj.__code__ = _forged_accuracies.__code__


class ResNet(_HonestResNet):
    """Correct on the grader's float64 cases; cannot learn on train.py's float32 batches."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _swap_adapter_code()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = super().forward(x)
        return logits * 0 if x.dtype == torch.float32 else logits
