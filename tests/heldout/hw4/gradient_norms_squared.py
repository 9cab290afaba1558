"""gradient_norms returns squared norms"""
# ruff: noqa: F821, F811
# target: models.py
# right:
_gradient_norms = gradient_norms


def gradient_norms(model, x, y):
    return [(name, norm * norm) for name, norm in _gradient_norms(model, x, y)]
