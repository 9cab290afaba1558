"""Support module for hw5: the small CNN whose behaviour you study, its trained weights, its data.

This file is given to you and is not graded (the grader uses this very file). The network::

    x (N, C, H, W)
    -> conv1 3x3 (8 channels, padding 1)  -> ReLU -> max pool 2
    -> conv2 3x3 (16 channels, padding 1) -> ReLU -> max pool 2
    -> conv3 3x3 (32 channels, padding 1) -> ReLU -> max pool 2
    -> global average pooling (N, 32) -> linear -> logits (N, K)

``params`` is a dict of float64 arrays, named as in the PyTorch ``state_dict`` of the same
network: ``conv1.weight`` (8, C, 3, 3), ``conv1.bias`` (8,), ``conv2.weight`` (16, 8, 3, 3),
``conv2.bias``, ``conv3.weight`` (32, 16, 3, 3), ``conv3.bias``, ``fc.weight`` (K, 32),
``fc.bias`` (K,). Any C (1 for the shipped models) and any K work.

- ``cnn_forward(params, x) -> (logits, activations, cache)``
- ``cnn_backward(dlogits, cache) -> (dx, grads)``
- ``load_model(name)``: ``"digits_cnn"``, ``"faces_cnn"`` or ``"faces_cnn_high_lr"``
- ``load_digits()``, ``load_faces()``: the data sets, split into train and test
- ``softmax(logits)``: from ``layers.py``, re-exported here
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np


def _neighbour_layers():
    """The ``layers.py`` next to this file (what ``import layers`` gives you in this folder).

    Loaded by its path rather than with ``import layers``: a process that checks several
    homeworks at once (the course's own tests) may already hold another homework's ``layers``
    module under that name.
    """
    path = Path(__file__).resolve().with_name("layers.py")
    module = sys.modules.get("layers")
    if module is not None and Path(getattr(module, "__file__", None) or "").resolve() == path:
        return module
    spec = importlib.util.spec_from_file_location("layers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_layers = _neighbour_layers()
conv2d_forward, conv2d_backward = _layers.conv2d_forward, _layers.conv2d_backward
relu_forward, relu_backward = _layers.relu_forward, _layers.relu_backward
maxpool2d_forward, maxpool2d_backward = _layers.maxpool2d_forward, _layers.maxpool2d_backward
global_avg_pool_forward, global_avg_pool_backward = _layers.global_avg_pool_forward, _layers.global_avg_pool_backward
linear_forward, linear_backward = _layers.linear_forward, _layers.linear_backward
softmax = _layers.softmax  # row-wise, stable: ``from model import softmax`` works too

CONV_LAYERS = 3
MODELS = ("digits_cnn", "faces_cnn", "faces_cnn_high_lr")
DIGIT_CLASSES = [str(d) for d in range(10)]
FACE_CLASSES = ["not a face", "face"]


def cnn_forward(params: dict, x: np.ndarray) -> tuple[np.ndarray, dict, tuple]:
    """Forward pass of the network on a batch.

    Inputs:
    - params: dict of arrays, as ``load_model`` returns it
    - x: (N, C, H, W) images

    Returns a tuple of:
    - logits: (N, K), the scores before the softmax
    - activations: dict of every intermediate result, for layer k in 1, 2, 3:
      ``"conv{k}"`` the conv output before the ReLU (N, C_k, H_k, W_k),
      ``"relu{k}"`` the same after the ReLU (same shape: the *activation maps* of §5 of the handout),
      ``"pool{k}"`` after the max pool (N, C_k, H_k // 2, W_k // 2); and ``"gap"`` (N, 32)
    - cache: what ``cnn_backward`` needs
    """
    activations, caches = {}, []
    h = x
    for k in range(1, CONV_LAYERS + 1):
        h, conv_cache = conv2d_forward(h, params[f"conv{k}.weight"], params[f"conv{k}.bias"], padding=1)
        activations[f"conv{k}"] = h
        h, relu_cache = relu_forward(h)
        activations[f"relu{k}"] = h
        h, pool_cache = maxpool2d_forward(h, 2)
        activations[f"pool{k}"] = h
        caches.append((conv_cache, relu_cache, pool_cache))
    h, gap_cache = global_avg_pool_forward(h)
    activations["gap"] = h
    logits, fc_cache = linear_forward(h, params["fc.weight"], params["fc.bias"])
    return logits, activations, (caches, gap_cache, fc_cache)


def cnn_backward(dlogits: np.ndarray, cache: tuple) -> tuple[np.ndarray, dict]:
    """Backward pass: the gradients of a loss L, given dL/dlogits.

    Inputs:
    - dlogits: (N, K), dL/dlogits
    - cache: from ``cnn_forward``

    Returns a tuple of:
    - dx: (N, C, H, W), dL/dx, the gradient with respect to the input images
    - grads: dict with the keys of ``params``, dL/dparam for each
    """
    caches, gap_cache, fc_cache = cache
    grads = {}
    dh, grads["fc.weight"], grads["fc.bias"] = linear_backward(dlogits, fc_cache)
    dh = global_avg_pool_backward(dh, gap_cache)
    for k in range(CONV_LAYERS, 0, -1):
        conv_cache, relu_cache, pool_cache = caches[k - 1]
        dh = maxpool2d_backward(dh, pool_cache)
        dh = relu_backward(dh, relu_cache)
        dh, grads[f"conv{k}.weight"], grads[f"conv{k}.bias"] = conv2d_backward(dh, conv_cache)
    return dh, grads


def load_model(name: str) -> dict:
    """The trained weights ``name`` (see ``MODELS``) as a dict of float64 arrays.

    ``digits_cnn``: 10 classes (the digit), input (1, 8, 8). ``faces_cnn`` and
    ``faces_cnn_high_lr``: 2 classes (0 = not a face, 1 = face), input (1, 25, 25);
    the second was trained with a learning rate ten times too high (§5 of the handout).
    """
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    with np.load(Path(__file__).with_name(f"{name}.npz")) as data:
        return {key: data[key].astype(np.float64) for key in data.files}


def _split(n: int, n_test: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def load_digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits (1797 images), scaled to [0, 1] (0 = background).

    Returns ``(x_train, y_train, x_test, y_test)``: x (N, 1, 8, 8) float64, y (N,) int64 labels
    0-9; 1347 training and 450 test images, always the same split.
    """
    from sklearn.datasets import load_digits as sklearn_digits  # imported only when called

    digits = sklearn_digits()
    x = (digits.images / 16.0).astype(np.float64)[:, None]
    y = digits.target.astype(np.int64)
    train, test = _split(len(x), 450, seed=0)
    return x[train], y[train], x[test], y[test]


def load_faces() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-image's ``lfw_subset``: 100 faces then 100 non-faces, 25x25 grayscale in [0, 1].

    Returns ``(x_train, y_train, x_test, y_test)``: x (N, 1, 25, 25) float64, y (N,) int64
    (1 = face, 0 = not a face); 150 training and 50 test images (25 faces and 25 non-faces),
    always the same split.
    """
    from skimage.data import lfw_subset  # imported only when called

    images = lfw_subset().astype(np.float64)[:, None]
    labels = np.repeat(np.array([1, 0], dtype=np.int64), 100)
    face_train, face_test = _split(100, 25, seed=1)
    other_train, other_test = _split(100, 25, seed=2)
    train = np.concatenate([face_train, 100 + other_train])
    test = np.concatenate([face_test, 100 + other_test])
    return images[train], labels[train], images[test], labels[test]
