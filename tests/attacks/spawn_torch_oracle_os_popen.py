"""No convolution code at all: a child Python started with os.popen imports torch and computes every answer.
The handout bans torch and scipy in convolution.py; a second process would dodge the ban."""
# otter: no
# zeroes: all
# message: starting processes is not allowed

import json
import os
import sys

import numpy as np

_ORACLE = r"""
import json, sys
import numpy as np, torch
import torch.nn.functional as F
req = json.load(open("oracle_in.json"))
name, a = req["name"], req["args"]
t = lambda v: torch.tensor(np.array(v, dtype=np.float64), requires_grad=True)
if name == "conv_output_size":
    n, k, s, p, d = a
    out = F.conv1d(torch.zeros(1, 1, n), torch.zeros(1, 1, k), stride=s, padding=p, dilation=d).shape[-1]
elif name in ("correlate2d", "convolve2d"):
    k = np.array(a[1]) if name == "correlate2d" else np.array(a[1])[::-1, ::-1].copy()
    out = F.conv2d(t(a[0])[None, None], t(k)[None, None])[0, 0].detach().numpy().tolist()
else:
    conv = F.conv1d if name.startswith("conv1d") else F.conv2d
    x, w, b, kw = t(a[0]), t(a[1]), t(a[2]), a[3]
    y = conv(x, w, b, **kw)
    if name.endswith("forward"):
        out = y.detach().numpy().tolist()
    else:
        y.backward(torch.tensor(np.array(a[4])))
        out = [x.grad.numpy().tolist(), w.grad.numpy().tolist(), b.grad.numpy().tolist()]
json.dump(out, open("oracle_out.json", "w"))
"""


def _run_child(code):
    with open("oracle.py", "w") as f:
        f.write(code)
    os.popen(f"{sys.executable} oracle.py").read()


def _ask(name, *args):
    with open("oracle_in.json", "w") as f:
        json.dump({"name": name, "args": [a.tolist() if isinstance(a, np.ndarray) else a for a in args]}, f)
    _run_child(_ORACLE)
    with open("oracle_out.json") as f:
        return json.load(f)


def conv_output_size(n, kernel_size, stride=1, padding=0, dilation=1):
    return int(_ask("conv_output_size", n, kernel_size, stride, padding, dilation))


def correlate2d(image, kernel):
    return np.array(_ask("correlate2d", image, kernel))


def convolve2d(image, kernel):
    return np.array(_ask("convolve2d", image, kernel))


def conv1d_forward(x, w, b, stride=1, padding=0, dilation=1):
    kw = {"stride": stride, "padding": padding, "dilation": dilation}
    return np.array(_ask("conv1d_forward", x, w, b, kw)), ("conv1d", x, w, b, kw)


def conv1d_backward(dout, cache):
    return tuple(np.array(g) for g in _ask("conv1d_backward", *cache[1:], dout))


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    kw = {"stride": stride, "padding": padding, "dilation": dilation}
    return np.array(_ask("conv2d_forward", x, w, b, kw)), ("conv2d", x, w, b, kw)


def conv2d_backward(dout, cache):
    return tuple(np.array(g) for g in _ask("conv2d_backward", *cache[1:], dout))


_unused = os
