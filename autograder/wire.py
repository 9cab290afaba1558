"""The wire format between the grader and the student worker: JSON headers plus raw array bytes.

Nothing that crosses the boundary is ever unpickled. A message is a sequence of frames on a
pipe, each ``<4-byte big-endian length><payload>``: first a JSON header, then one frame of raw
bytes per array it references. Values are tagged JSON:

- ``null``, booleans, ints, floats (NaN/inf allowed), strings: themselves
- ``{"t": "nd", "i": k, "dtype": "<f8", "shape": [..]}``: array in binary frame ``k``
- ``{"t": "np", "dtype": "<f8", "v": 1.5}``: a NumPy scalar
- ``{"t": "tuple"|"list", "v": [...]}``, ``{"t": "dict", "v": {"key": ...}}`` (string keys)
- ``{"t": "handle", "id": n}``: an object that stays in the worker (e.g. a forward's ``cache``)
- ``{"t": "opaque", "type": "Foo"}``: a value the worker could not encode (reported, never used)

The decoder is the trust boundary: it accepts only whitelisted dtypes, checks that every
array's byte count matches its shape, and bounds sizes and nesting. Every read and write may
carry a deadline (``time.monotonic()``): the grader's pipe ends are non-blocking and each step
waits in ``poll`` for what is left of it, so a worker that stops reading a request or stops
half-way through a reply costs the call's time, never more (``WireTimeout``). This module needs
only the standard library and NumPy, because the worker imports it too.
"""

from __future__ import annotations

import json
import os
import select
import struct
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_HEADER_BYTES = 4 << 20
MAX_MESSAGE_BYTES = 512 << 20
MAX_DEPTH = 32
MAX_ITEMS = 100_000
ALLOWED_DTYPES = frozenset(
    np.dtype(t).str
    for t in ("?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16")
)


class WireError(Exception):
    """A malformed, oversized or truncated message."""


class WireTimeout(WireError):
    """The deadline passed while a message was being written (``writing``) or read."""

    def __init__(self, message: str, writing: bool) -> None:
        super().__init__(message)
        self.writing = writing


@dataclass(frozen=True)
class Handle:
    """A reference to an object that lives in the worker (such as a forward's ``cache``)."""

    id: int
    generation: int = 0

    def __repr__(self) -> str:
        return f"<worker object #{self.id}>"


@dataclass(frozen=True)
class Opaque:
    """A student value the worker could not encode; only its type name crosses."""

    type_name: str

    def __repr__(self) -> str:
        return f"<unencodable {self.type_name}>"


def array_arguments(args: list, kwargs: dict) -> dict[str, np.ndarray]:
    """Every array argument of a call by its place (``0``, ``1['w']``, ``x``), nested ones
    included (a params dict). The worker sends them back after the call as they are then; the
    grader compares them with what it sent (``proxy``): the "modified its input" verdict is never
    the worker's."""
    found, stack = {}, [(str(k), v) for k, v in list(enumerate(args)) + list(kwargs.items())]
    while stack:
        name, value = stack.pop()
        if isinstance(value, np.ndarray):
            found[name] = value
        elif isinstance(value, dict):
            stack.extend((f"{name}[{k!r}]", v) for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{name}[{i}]", v) for i, v in enumerate(value))
    return found


# ---------------------------------------------------------------- framing


def wait(fd: int, writing: bool, deadline: float | None) -> bool:
    """Until ``fd`` is ready (True) or the deadline passes (False); no deadline: until ready."""
    poller = select.poll()
    poller.register(fd, select.POLLOUT if writing else select.POLLIN)
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        if poller.poll(None if left is None else left * 1000):
            return True  # ready, or hung up / in error: the next read or write says which
        if left is not None and time.monotonic() >= deadline:
            return False


def write_frames(fd: int, frames: list[bytes], deadline: float | None = None) -> None:
    """Write length-prefixed frames to ``fd`` (blocking or not) by ``deadline``."""
    buf = b"".join(struct.pack(">I", len(f)) + f for f in frames)
    view = memoryview(buf)
    while view:
        if not wait(fd, True, deadline):
            raise WireTimeout(f"{len(buf) - len(view)} of {len(buf)} bytes written", writing=True)
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            continue
        view = view[n:]


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    chunks, remaining = [], n
    while remaining:
        if not wait(fd, False, deadline):
            raise WireTimeout(f"{n - remaining} of {n} bytes of a frame read", writing=False)
        try:
            chunk = os.read(fd, min(remaining, 1 << 20))
        except BlockingIOError:
            continue
        if not chunk:
            raise EOFError("the other side closed the channel")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, limit: int, deadline: float | None = None) -> bytes:
    (length,) = struct.unpack(">I", read_exact(fd, 4, deadline))
    if length > limit:
        raise WireError(f"frame of {length} bytes exceeds the limit of {limit}")
    return read_exact(fd, length, deadline)


# ---------------------------------------------------------------- encoding


def encode(value: Any, blobs: list[bytes] | None = None) -> tuple[dict, list[bytes]]:
    """Encode ``value`` as tagged JSON plus array frames (appended to ``blobs``, if given);
    unencodable parts become ``opaque``."""
    blobs = [] if blobs is None else blobs

    def enc(v: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("value nested too deeply")
        if v is None or type(v) in (bool, int, float, str):
            return v
        if isinstance(v, np.ndarray):
            if v.dtype.str not in ALLOWED_DTYPES:
                return {"t": "opaque", "type": f"ndarray of dtype {v.dtype}"}
            # view() reads the raw buffer: a subclass's own __array__/__eq__ never runs;
            # tobytes() is C-ordered whatever the layout (and keeps 0-d arrays 0-d)
            arr = v.view(np.ndarray)
            blobs.append(arr.tobytes())
            return {"t": "nd", "i": len(blobs) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape)}
        if isinstance(v, np.generic) and v.dtype.str in ALLOWED_DTYPES:
            raw = v.item()
            return {"t": "np", "dtype": v.dtype.str, "v": [raw.real, raw.imag] if isinstance(raw, complex) else raw}
        if type(v) in (tuple, list):
            return {"t": type(v).__name__, "v": [enc(i, depth + 1) for i in v]}
        if type(v) is dict and all(type(k) is str for k in v):
            return {"t": "dict", "v": {k: enc(i, depth + 1) for k, i in v.items()}}
        if isinstance(v, Handle):
            return {"t": "handle", "id": v.id}
        return {"t": "opaque", "type": type(v).__name__[:80]}

    return enc(value, 0), blobs


def send(fd: int, header: dict, blobs: list[bytes], deadline: float | None = None) -> None:
    header = dict(header, n_blobs=len(blobs))
    write_frames(fd, [json.dumps(header).encode()] + blobs, deadline)


# ---------------------------------------------------------------- decoding (the trust boundary)


def receive(fd: int, deadline: float | None = None) -> tuple[dict, list[bytes]]:
    """Read one message: a JSON header and its binary frames, within the size limits (and by
    ``deadline``: else ``WireTimeout``)."""
    header_bytes = read_frame(fd, MAX_HEADER_BYTES, deadline)
    try:
        header = json.loads(header_bytes)
    except (ValueError, UnicodeDecodeError) as exc:
        raise WireError(f"header is not JSON: {exc}") from None
    if not isinstance(header, dict):
        raise WireError("header is not a JSON object")
    n_blobs = header.get("n_blobs", 0)
    if type(n_blobs) is not int or not 0 <= n_blobs <= MAX_ITEMS:
        raise WireError("bad blob count")
    blobs, total = [], len(header_bytes)
    for _ in range(n_blobs):
        blob = read_frame(fd, MAX_MESSAGE_BYTES - total, deadline)
        total += len(blob)
        blobs.append(blob)
    return header, blobs


def decode(value: Any, blobs: list[bytes], generation: int = 0) -> Any:
    """Rebuild a value from its tagged JSON, validating everything: never trusts the sender."""
    items = [0]

    def dec(v: Any, depth: int) -> Any:
        items[0] += 1
        if depth > MAX_DEPTH or items[0] > MAX_ITEMS:
            raise WireError("value nested too deeply or too large")
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if not isinstance(v, dict) or not isinstance(v.get("t"), str):
            raise WireError("malformed value")
        tag = v["t"]
        if tag == "nd":
            return _decode_array(v, blobs)
        if tag == "np":
            dtype = _checked_dtype(v.get("dtype"))
            raw = v.get("v")
            if dtype.kind == "c" and isinstance(raw, list) and len(raw) == 2:
                raw = complex(*raw)
            if not isinstance(raw, (bool, int, float, complex)):
                raise WireError("malformed NumPy scalar")
            return dtype.type(raw)
        if tag in ("tuple", "list") and isinstance(v.get("v"), list):
            seq = [dec(i, depth + 1) for i in v["v"]]
            return tuple(seq) if tag == "tuple" else seq
        if tag == "dict" and isinstance(v.get("v"), dict):
            return {str(k): dec(i, depth + 1) for k, i in v["v"].items()}
        if tag == "handle" and type(v.get("id")) is int:
            return Handle(v["id"], generation)
        if tag == "opaque":
            return Opaque(str(v.get("type", "?"))[:80])
        raise WireError(f"unknown value tag {tag!r}")

    return dec(value, 0)


def _checked_dtype(name: Any) -> np.dtype:
    if not isinstance(name, str) or name not in ALLOWED_DTYPES:
        raise WireError(f"dtype {name!r} is not allowed")
    return np.dtype(name)


def _decode_array(v: dict, blobs: list[bytes]) -> np.ndarray:
    dtype = _checked_dtype(v.get("dtype"))
    shape, index = v.get("shape"), v.get("i")
    if not (isinstance(shape, list) and len(shape) <= MAX_DEPTH and all(type(s) is int and s >= 0 for s in shape)):
        raise WireError("malformed array shape")
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("array refers to a missing frame")
    blob = blobs[index]
    if len(blob) != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
        raise WireError("array byte count does not match its shape")
    return np.frombuffer(blob, dtype=dtype).reshape(shape).copy()
