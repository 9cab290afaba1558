"""Support module for hw4 (shipped, not graded): the digits data, a training loop, deep test nets.

- ``digits()``: scikit-learn's 8x8 handwritten digits (1797 images, the data of
  ``sklearn.datasets.load_digits``), a fixed stratified split (75 % train, 25 % test), pixels scaled to [0, 1] then standardized with the training set's
  mean and standard deviation; tensors of shape (N, 1, 8, 8) (float32) and labels (int64).
- ``train(model, epochs=10, seed=0, lr=0.01, batch_size=64)``: Adam on the mean cross-entropy
  with a one-cycle learning-rate schedule (peak ``lr``: warm-up, then cosine decay), mini-batches shuffled by a generator
  seeded with ``seed``, on CPU with one thread; returns the test accuracy after each epoch (a
  list of floats in [0, 1]).
- ``deep_net(depth, residual, batchnorm=False, init="default", ...)``: the deep test networks
  of the notebook's vanishing-gradient experiment (§9 of the handout).

Run ``python train.py`` to train your ResNet from ``models.py`` for 10 epochs.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SPLIT_SEED = 0


def load_digits_arrays() -> tuple[np.ndarray, np.ndarray]:
    """The (1797, 64) pixels (0..16) and labels of ``sklearn.datasets.load_digits``.

    Read from the data file that load_digits itself reads, so that importing this module never
    imports scikit-learn's dependencies (SciPy is not allowed in the grader's worker).
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("sklearn")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("scikit-learn is needed for the digits data: pip install scikit-learn")
    data = np.loadtxt(Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "digits.csv.gz", delimiter=",")
    return data[:, :-1], data[:, -1].astype(np.int64)


def digits(dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(x_train, y_train, x_test, y_test) of the digits data set, split and standardized."""
    images, labels = load_digits_arrays()
    images = images.reshape(-1, 1, 8, 8) / 16.0
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):  # stratified: a quarter of every class goes to the test set
        members = rng.permutation(np.flatnonzero(labels == digit))
        test[members[: round(0.25 * len(members))]] = True
    x_train, x_test = images[~test], images[test]
    mean, std = x_train.mean(), x_train.std()
    as_x = lambda a: torch.tensor((a - mean) / std, dtype=dtype)  # noqa: E731
    return as_x(x_train), torch.tensor(labels[~test]), as_x(x_test), torch.tensor(labels[test])


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """The fraction of correctly classified samples, in eval mode (the model's mode is restored)."""
    was_training = model.training
    model.eval()
    with torch.inference_mode():
        correct = (model(x).argmax(dim=1) == y).sum().item()
    model.train(was_training)
    return correct / len(y)


class Adam:
    """Adam (Kingma and Ba) with a learning-rate schedule, written out: the same update as
    torch.optim.Adam (which the grader's sandbox cannot import: it pulls in torch._dynamo)."""

    def __init__(self, params, lr_at, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr_at, self.betas, self.eps, self.steps = lr_at, betas, eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        (b1, b2), lr = self.betas, self.lr_at(self.steps - 1)
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            if p.grad is None:
                continue
            m.mul_(b1).add_(p.grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            m_hat, v_hat = m / (1 - b1**self.steps), v / (1 - b2**self.steps)
            p.sub_(lr * m_hat / (v_hat.sqrt() + self.eps))


def one_cycle(peak: float, total: int, warmup: float = 0.3):
    """Learning rate at step t: linear warm-up from peak / 25 to peak over the first 30 % of the
    steps, then a cosine decay to (almost) zero."""
    import math

    rise = max(1, int(warmup * total))

    def lr_at(t: int) -> float:
        if t < rise:
            return peak / 25 + (peak - peak / 25) * t / rise
        return peak * 0.5 * (1 + math.cos(math.pi * min(1.0, (t - rise) / max(1, total - rise))))

    return lr_at


def train(model: nn.Module, epochs: int = 10, seed: int = 0, lr: float = 0.01, batch_size: int = 64) -> list[float]:
    """Train ``model`` on the digits in place; return the test accuracy after every epoch."""
    torch.set_num_threads(1)
    x_train, y_train, x_test, y_test = digits()
    generator = torch.Generator().manual_seed(seed)
    steps = epochs * ((len(y_train) + batch_size - 1) // batch_size)
    optimizer = Adam(model.parameters(), one_cycle(lr, steps))
    history = []
    for _epoch in range(epochs):
        model.train()
        order = torch.randperm(len(y_train), generator=generator)
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            optimizer.zero_grad()
            F.cross_entropy(model(x_train[batch]), y_train[batch]).backward()
            optimizer.step()
        history.append(accuracy(model, x_test, y_test))
    return history


class _Block(nn.Module):
    """Two 3x3 convolutions (each followed by an optional BatchNorm); a ReLU after each; with
    ``residual`` the input is added before the second ReLU."""

    def __init__(self, channels: int, residual: bool, batchnorm: bool) -> None:
        super().__init__()
        self.skip = residual
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.norm1 = nn.BatchNorm2d(channels) if batchnorm else nn.Identity()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        self.norm2 = nn.BatchNorm2d(channels) if batchnorm else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.norm2(self.conv2(F.relu(self.norm1(self.conv1(x)))))
        return F.relu(h + x if self.skip else h)


class DeepNet(nn.Module):
    """``depth`` weight layers: a 3x3 stem convolution (+ ReLU), (depth - 2) / 2 blocks of two
    3x3 convolutions, global average pooling, a linear layer. Convolutions have biases."""

    def __init__(self, depth: int, residual: bool, batchnorm: bool = False, channels: int = 8, in_channels: int = 1, num_classes: int = 10) -> None:
        super().__init__()
        if depth < 4 or depth % 2:
            raise ValueError(f"depth must be an even number >= 4, got {depth}")
        self.stem = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.blocks = nn.Sequential(*[_Block(channels, residual, batchnorm) for _ in range((depth - 2) // 2)])
        self.fc = nn.Linear(channels, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.blocks(F.relu(self.stem(x)))
        return self.fc(h.mean(dim=(-2, -1)))


def deep_net(depth: int, residual: bool, batchnorm: bool = False, init: str = "default", seed: int = 0, dtype: torch.dtype = torch.float64, **kwargs) -> DeepNet:
    """A seeded DeepNet; init="default" keeps PyTorch's default initialization, init="kaiming"
    draws every convolution weight from N(0, 2 / fan_in) (He et al.) with zero biases."""
    torch.manual_seed(seed)
    net = DeepNet(depth, residual, batchnorm, **kwargs).to(dtype)
    if init == "kaiming":
        for module in net.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
    elif init != "default":
        raise ValueError(f"unknown init {init!r}")
    return net


if __name__ == "__main__":
    import time

    from models import ResNet

    torch.manual_seed(0)
    started = time.perf_counter()
    for epoch, acc in enumerate(train(ResNet()), start=1):
        print(f"epoch {epoch:2d}: test accuracy {acc:.4f}")
    print(f"{time.perf_counter() - started:.1f} s")
