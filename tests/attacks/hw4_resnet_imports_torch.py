"""resnet.py (NumPy only, per the handout) imports torch and hands Part 1 to PyTorch.

BatchNorm and the whole basic block, forward and backward, come from F.batch_norm, F.conv2d
and autograd. Once each [[workers]] group runs in its own process, torch cannot be imported
in resnet.py's worker: the file fails to load and q1-q4 score 0. (In an engine that runs both
files in one process, where models.py has already loaded torch, this still passes.)
"""
# assignment: hw4
# target: resnet.py
# zeroes: q1,q2,q3,q4
# message: importing torch is not allowed

import numpy as np
import torch
import torch.nn.functional as F


def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5):
    xt, g, b = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta))
    mean, var = torch.tensor(running_mean, dtype=torch.float64), torch.tensor(running_var, dtype=torch.float64)
    out = F.batch_norm(xt, mean, var, g, b, training=training, momentum=momentum, eps=eps)
    return out.detach().numpy(), mean.numpy(), var.numpy(), (xt, g, b, out)


def batchnorm2d_backward(dout, cache):
    xt, g, b, out = cache
    dx, dg, db = torch.autograd.grad(out, (xt, g, b), torch.tensor(dout, dtype=torch.float64))
    return dx.numpy(), dg.numpy(), db.numpy()


def residual_block_forward(x, params, stride=1, training=True):
    c_out, c_in = params["conv1.weight"].shape[:2]
    if (stride != 1 or c_in != c_out) != ("shortcut.0.weight" in params):
        raise ValueError("the shortcut.* keys do not fit this block")
    weights = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in params.items() if k.endswith(("weight", "bias"))}
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    state = {}

    def bn(h, name):
        mean = torch.tensor(params[f"{name}.running_mean"], dtype=torch.float64)
        var = torch.tensor(params[f"{name}.running_var"], dtype=torch.float64)
        y = F.batch_norm(h, mean, var, weights[f"{name}.weight"], weights[f"{name}.bias"], training=training)
        state[f"{name}.running_mean"], state[f"{name}.running_var"] = mean.numpy(), var.numpy()
        if f"{name}.num_batches_tracked" in params:
            state[f"{name}.num_batches_tracked"] = np.asarray(params[f"{name}.num_batches_tracked"]) + int(training)
        return y

    h = F.relu(bn(F.conv2d(xt, weights["conv1.weight"], stride=stride, padding=1), "bn1"))
    h = bn(F.conv2d(h, weights["conv2.weight"], padding=1), "bn2")
    skip = bn(F.conv2d(xt, weights["shortcut.0.weight"], stride=stride), "shortcut.1") if "shortcut.0.weight" in params else xt
    out = F.relu(h + skip)
    return out.detach().numpy(), state, (xt, weights, out)


def residual_block_backward(dout, cache):
    xt, weights, out = cache
    names = list(weights)
    found = torch.autograd.grad(out, [xt] + [weights[n] for n in names], torch.tensor(dout, dtype=torch.float64))
    return found[0].numpy(), {n: g.numpy() for n, g in zip(names, found[1:], strict=True)}
