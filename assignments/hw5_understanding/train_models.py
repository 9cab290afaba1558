"""Train the three networks shipped with hw5 and write their weights into student/*.npz.

Not shipped to students (it is not in student/). Seeded, PyTorch on the CPU with one thread,
about half a minute in all::

    .venv/bin/python assignments/hw5_understanding/train_models.py          # train and write
    .venv/bin/python assignments/hw5_understanding/train_models.py --check  # measure what is committed

The network is the one of ``student/model.py`` (three conv 3x3 / ReLU / max pool 2 blocks with
8, 16 and 32 channels, global average pooling, linear), built with ``torch.nn``:

- ``digits_cnn``: sklearn's 8x8 digits, Adam 1e-2 (test accuracy ~98 %)
- ``faces_cnn``: skimage's lfw_subset faces vs non-faces, Adam 3e-3 (~96-100 %)
- ``faces_cnn_high_lr``: the same with Adam 3e-2, ten times too high: still accurate, but many
  conv3 filters die (their pre-ReLU output is negative for every image and position)

``check_shipped_models()`` measures the committed weights with the NumPy ``model.py`` itself.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

STUDENT = Path(__file__).resolve().with_name("student")

# name: (data set, learning rate, epochs, batch size, seed)
RECIPES = {
    "digits_cnn": ("digits", 1e-2, 30, 64, 0),
    "faces_cnn": ("faces", 3e-3, 60, 16, 0),
    "faces_cnn_high_lr": ("faces", 3e-2, 60, 16, 0),
}


def _model_module():
    """student/model.py (NumPy), loaded by path under a private name (it finds its own layers.py)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("convlab_hw5_model", STUDENT / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def torch_cnn(c_in: int, classes: int):
    """The network of model.py in torch.nn; its state_dict keys are model.py's params keys."""
    import torch.nn as nn

    class CNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(c_in, 8, 3, padding=1)
            self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
            self.conv3 = nn.Conv2d(16, 32, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc = nn.Linear(32, classes)

        def forward(self, x):
            for conv in (self.conv1, self.conv2, self.conv3):
                x = self.pool(conv(x).relu())
            return self.fc(x.mean(dim=(2, 3)))

    return CNN()


def train(name: str) -> dict:
    """Train one recipe; returns its params (float64 NumPy arrays, model.py's keys)."""
    import torch

    torch.set_num_threads(1)
    data, lr, epochs, batch, seed = RECIPES[name]
    x_train, y_train, _, _ = getattr(_model_module(), f"load_{data}")()
    torch.manual_seed(seed)
    net = torch_cnn(x_train.shape[1], int(y_train.max()) + 1).double()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    x, y = torch.tensor(x_train), torch.tensor(y_train)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for start in range(0, len(x), batch):
            idx = order[start : start + batch]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[idx]), y[idx]).backward()
            opt.step()
    return {k: v.detach().numpy().astype(np.float64) for k, v in net.state_dict().items()}


def check_shipped_models() -> dict[str, dict]:
    """Measure the committed .npz with model.py: test accuracy and dead conv3 filters.

    Returns ``{name: {"accuracy": float, "dead_conv3": int, "dead_conv1": int, "dead_conv2": int}}``.
    Dead filters are counted over every image of the model's data set (train and test): a
    channel is dead when its post-ReLU activation is 0 for every image and position.
    """
    model = _model_module()
    results = {}
    for name, (data, *_rest) in RECIPES.items():
        params = model.load_model(name)
        x_train, _, x_test, y_test = getattr(model, f"load_{data}")()
        logits, _, _ = model.cnn_forward(params, x_test)
        _, acts, _ = model.cnn_forward(params, np.concatenate([x_train, x_test]))
        row = {"accuracy": float(np.mean(logits.argmax(axis=1) == y_test))}
        for k in (1, 2, 3):
            row[f"dead_conv{k}"] = int(np.sum(acts[f"relu{k}"].max(axis=(0, 2, 3)) <= 0))
        results[name] = row
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only measure the committed weights")
    parser.add_argument("--out", type=Path, default=STUDENT, help="where to write the .npz (default: student/)")
    parser.add_argument("models", nargs="*", default=list(RECIPES), help="which recipes to train (default: all)")
    args = parser.parse_args()
    if not args.check:
        for name in args.models:
            params = train(name)
            np.savez_compressed(args.out / f"{name}.npz", **params)
            print(f"wrote {args.out / f'{name}.npz'}")
    for name, row in check_shipped_models().items():
        dead = ", ".join(f"conv{k} {row[f'dead_conv{k}']}" for k in (1, 2, 3))
        print(f"{name:<18} test accuracy {row['accuracy']:.1%}   dead filters: {dead}")


if __name__ == "__main__":
    main()
