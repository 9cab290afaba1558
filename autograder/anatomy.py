"""Error anatomy: what is true of a wrong array, stated only once it is verified on the numbers.

A failed comparison already says how many entries are wrong and where the worst one is. This
module says more, and nothing it cannot prove: which entries differ (every one, one index of an
axis, the border, the last positions), and whether the student's array *is* the reference under
a simple transformation (scaled by a constant, negated, its axes exchanged, flipped, shifted by
one, cropped, a block of it, summed or averaged over an axis, the same values at another dtype).
Every claim is checked before it is returned: the transformation applied to the reference
reproduces the student's array at the check's tolerance (``|got - T(ref)| <= atol + rtol*|T(ref)|``).

A shape that differs gets the same treatment, and may be explained by a *size rule*: a check
declares the formula of its output size (``formula``: a convolution, a transposed convolution,
a pooling window, zero insertion, decimation) with each spatial axis' parameters, and the rules
that apply to that function (``size_rules``: "ceil", "no padding", "width from height", ...). A
rule is named only when its formula gives the student's shape exactly; otherwise the shapes are
stated and nothing more. No rule, and so no line, mentions padding, stride or dilation unless
the check declared a rule about it.

It knows nothing of assignments: arrays, tolerances and declared rules in, ``Claim``s out.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_BLOCK_OFFSETS = 256  # crop/block positions tried per array (hidden cases are small)


@dataclass(frozen=True)
class Claim:
    """One verified fact: ``kind`` and ``params`` say exactly what was checked (a test re-checks
    them independently), ``text`` says it to the student."""

    output: str
    kind: str
    params: tuple
    text: str


# ---------------------------------------------------------------- comparisons


def close(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> bool:
    """The check's rule (``checklib.assert_array``): same shape, every entry within the tolerance."""
    if got.shape != want.shape:
        return False
    g, w = got.astype(np.float64), want.astype(np.float64)
    with np.errstate(invalid="ignore"):
        return bool(np.all(np.isfinite(g)) and np.all(np.abs(g - w) <= atol + rtol * np.abs(w)))


def wrong_mask(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    g, w = got.astype(np.float64), want.astype(np.float64)
    with np.errstate(invalid="ignore"):
        return ~(np.isfinite(g) & (np.abs(g - w) <= atol + rtol * np.abs(w)))


def _numeric(a: Any, empty: bool = False) -> bool:
    return type(a) is np.ndarray and a.dtype.kind in "biuf" and (empty or a.size > 0)


def _informative(ref: np.ndarray, rtol: float, atol: float) -> bool:
    """A transformation of ``ref`` says something only if ``ref`` is not (close to) all zeros."""
    return bool(np.any(np.abs(ref.astype(np.float64)) > atol + rtol))


# ---------------------------------------------------------------- words


def _axis(a: int, ndim: int) -> str:
    return f"axis {a}" if ndim > 1 else "the array"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _number(x: float) -> str:
    return f"{x:.4g}"


def _factor_words(c: float) -> tuple[float, str] | None:
    """A scale factor as a simple exact number: -1, k, 1/k, -k, -1/k (k a whole number up to
    100000), returned with its words; None if it is none of them."""
    for sign in (1, -1):
        m = sign * c
        if m <= 0:
            continue
        k = round(m)
        if k >= 1 and abs(m - k) <= 1e-9 * k and k <= 100_000:
            value = sign * float(k)
            if value == -1:
                return value, "the reference with its sign flipped (times -1)"
            return value, f"{'minus ' if sign < 0 else ''}{k} times the reference"
        k = round(1 / m)
        if k >= 2 and abs(1 / m - k) <= 1e-9 * k and k <= 100_000:
            return sign / float(k), f"the reference divided by {'-' if sign < 0 else ''}{k}"
    return None


# ---------------------------------------------------------------- same shape: transformations


def named_product(k: int, sizes: dict[str, int] | None) -> str:
    """``k`` as the product of some of a case's named sizes ("N·H'·W'"), if exactly one set of
    them gives it; else ""."""
    named = [(n, int(v)) for n, v in (sizes or {}).items() if int(v) > 1]
    found = {
        "·".join(n for n, _ in subset)
        for count in range(1, len(named) + 1)
        for subset in itertools.combinations(named, count)
        if math.prod(v for _, v in subset) == k
    }
    return found.pop() if len(found) == 1 else ""


def _scaled(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float, sizes: dict | None = None) -> Claim | None:
    r, g = ref.astype(np.float64).ravel(), got.astype(np.float64).ravel()
    denom = float(r @ r)
    if denom == 0 or not np.all(np.isfinite(g)) or np.count_nonzero(np.abs(r) > atol) < 2:
        return None  # one number is always some multiple of another: nothing learned
    c = float(r @ g) / denom
    if abs(c - 1) <= 1e-9 or c == 0:
        return None
    words = _factor_words(c)
    if words is not None and close(got, words[0] * ref, rtol, atol):
        k = round(abs(words[0]) if abs(words[0]) >= 1 else 1 / abs(words[0]))
        product = named_product(k, sizes) if k > 1 else ""
        return Claim(name, "scaled", (words[0], product), f"{name} is exactly {words[1]}{f' (= {product})' if product else ''}, at every entry")
    if close(got, c * ref, rtol, atol):
        return Claim(name, "scaled", (c, ""), f"{name} is the reference times one constant, {_number(c)}, at every entry")
    return None


def _permuted(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    if ref.ndim < 2 or ref.ndim > 5:
        return None
    for perm in itertools.permutations(range(ref.ndim)):
        if perm == tuple(range(ref.ndim)) or tuple(ref.shape[p] for p in perm) != got.shape:
            continue
        if close(got, ref.transpose(perm), rtol, atol):
            moved = [a for a in range(ref.ndim) if perm[a] != a]
            if len(moved) == 2:
                a, b = moved
                words = f"the reference with axes {a} and {b} exchanged" + (" (transposed)" if ref.ndim == 2 else "")
            else:
                words = f"the reference with its axes reordered as {perm} (reference.transpose{perm})"
            return Claim(name, "permuted", (perm,), f"{name} is {words}")
    return None


def _flipped(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    axes = [a for a in range(ref.ndim) if ref.shape[a] > 1]
    for count in range(1, len(axes) + 1):
        for subset in itertools.combinations(axes, count):
            if close(got, np.flip(ref, subset), rtol, atol):
                which = " and ".join(str(a) for a in subset)
                return Claim(name, "flipped", (subset,), f"{name} is the reference reversed along axis {which}" if ref.ndim > 1 else f"{name} is the reference reversed")
    return None


def shift_slices(ndim: int, axis: int, step: int) -> tuple[tuple, tuple]:
    """(got's slices, ref's slices): got[a] = ref[b] when got is ref moved ``step`` (+1 or -1) along ``axis``."""
    later, earlier = slice(1, None), slice(None, -1)
    g = [slice(None)] * ndim
    r = [slice(None)] * ndim
    g[axis], r[axis] = (later, earlier) if step > 0 else (earlier, later)
    return tuple(g), tuple(r)


def _shifted(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    wrong = wrong_mask(got, ref, rtol, atol)
    for axis in range(ref.ndim):
        if ref.shape[axis] < 3:
            continue
        for step in (1, -1):
            g, r = shift_slices(ref.ndim, axis, step)
            part = ref[r]
            # the moved part must carry information and cover all but the one slice shifted in
            if not _informative(part, rtol, atol) or not close(got[g], part, rtol, atol):
                continue
            if not np.any(wrong[g]):
                continue
            direction = "later (towards the end)" if step > 0 else "earlier (towards the start)"
            edge = "first" if step > 0 else "last"
            where = f" along axis {axis}" if ref.ndim > 1 else ""
            return Claim(
                name, "shifted", (axis, step),
                f"{name} is the reference moved one position {direction}{where}: every entry matches "
                f"the reference's neighbour, except the {edge} position{where}",
            )  # fmt: skip
    return None


def _dtype(name: str, got: np.ndarray, ref: np.ndarray) -> Claim | None:
    if got.dtype == ref.dtype or got.shape != ref.shape:
        return None
    if got.dtype.kind == "f" and ref.dtype.kind == "f":
        eps = float(np.finfo(got.dtype).eps) if np.finfo(got.dtype).eps > np.finfo(ref.dtype).eps else 0.0
        if eps and close(got, ref, 8 * eps, 8 * eps * float(np.max(np.abs(ref)) or 1.0)):
            return Claim(name, "dtype", (str(got.dtype), 8 * eps), f"{name} holds the reference's values at {got.dtype} precision (the dtype, not the values, is wrong)")
    if got.dtype.kind in "biuf" and ref.dtype.kind in "biuf" and close(got.astype(np.float64), ref.astype(np.float64), 0.0, 0.0):
        return Claim(name, "dtype", (str(got.dtype), 0.0), f"{name} holds exactly the reference's values, as {got.dtype} instead of {ref.dtype}")
    return None


# ---------------------------------------------------------------- same shape: where the entries differ


def _index_words(indices: list[int], size: int) -> str | None:
    """Words for a strict subset of an axis' indices, or None if it is not simple."""
    k = len(indices)
    if indices == list(range(size - k, size)):
        return "the last position" if k == 1 else f"the last {k} positions"
    if indices == list(range(k)):
        return "the first position" if k == 1 else f"the first {k} positions"
    if k == 1:
        return f"index {indices[0]}"
    if size > 2 and indices == [0, size - 1]:
        return "the first and last positions"
    if k <= 4:
        return "indices " + ", ".join(map(str, indices))
    return None


def _where(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    wrong = wrong_mask(got, ref, rtol, atol)
    count = int(wrong.sum())
    if count == 0:
        return None
    if count == wrong.size:
        params: tuple = ("every",)
        text = f"every entry of {name} is wrong"
    else:
        parts, region = [], []
        for axis in range(wrong.ndim):
            others = tuple(a for a in range(wrong.ndim) if a != axis)
            hit = [int(i) for i in np.nonzero(np.any(wrong, axis=others) if others else wrong)[0]]
            words = _index_words(hit, wrong.shape[axis]) if len(hit) < wrong.shape[axis] else None
            region.append(tuple(hit) if words else None)
            if words:
                parts.append(f"{words} of axis {axis}" if wrong.ndim > 1 else words)
        if not parts:
            return None
        params = ("region", tuple(region))
        text = f"the wrong entries of {name} all lie at {' and at '.join(parts)}"
    missing = wrong & (got == 0) & (ref != 0)
    if count and int(missing.sum()) == count:
        params = params + ("zero",)
        text += f"; at each of them {name} is 0 where the reference is not"
    extra = wrong & (ref == 0)
    if count and int(extra.sum()) == count:
        params = params + ("reference zero",)
        text += "; at each of them the reference is 0"
    return Claim(name, "where", params, text)


def _rearranged(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    """The same values as the reference, in other places (sorted, they agree)."""
    if ref.size < 2 or got.dtype.kind == "b":
        return None
    mine, theirs = np.sort(got.astype(np.float64), axis=None), np.sort(ref.astype(np.float64), axis=None)
    if not _informative(ref, rtol, atol) or not close(mine, theirs, rtol, atol):
        return None
    return Claim(name, "rearranged", (), f"{name} holds exactly the reference's values, in other places (sorted, the two agree)")


def _offset(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    """The error ``got - ref`` is the same along some axes (a constant offset, one per channel...)."""
    if got.dtype.kind not in "iuf" or ref.ndim == 0:
        return None
    diff = got.astype(np.float64) - ref.astype(np.float64)
    tol = atol + rtol * float(np.max(np.abs(ref.astype(np.float64))))
    same = tuple(a for a in range(ref.ndim) if ref.shape[a] > 1 and np.all(np.abs(diff - diff.take([0], axis=a)) <= tol))
    if not same:
        return None
    if len(same) == sum(1 for n in ref.shape if n > 1):
        value = float(diff.flat[0])
        return Claim(name, "offset", (same, value), f"every entry of {name} is off by the same amount, {_number(value)} (yours minus the reference)")
    axes = " and ".join(str(a) for a in same)
    return Claim(name, "offset", (same, None), f"the error of {name} (yours minus the reference) is the same at every index of axis {axes}")


def _spread(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    """Nothing simpler holds: how many entries are wrong, and how large the error is."""
    wrong = wrong_mask(got, ref, rtol, atol)
    count = int(wrong.sum())
    if not count or not np.all(np.isfinite(got.astype(np.float64))):
        return None
    share = f"every entry of {name} is" if count == wrong.size else f"{count} of {wrong.size} entries of {name} are"
    if got.dtype.kind == "b" or ref.dtype.kind == "b":
        extra = int(np.sum(wrong & got.astype(bool)))
        return Claim(name, "spread", ("bool", extra, count - extra), f"{share} wrong: {extra} True where the reference is False, {count - extra} False where it is True")
    g, r = got.astype(np.float64)[wrong], ref.astype(np.float64)[wrong]
    scale = float(np.sqrt(np.mean(ref.astype(np.float64) ** 2)))
    if scale == 0:
        return None
    rms = float(np.sqrt(np.mean((g - r) ** 2))) / scale
    bigger = int(np.sum(np.abs(g) > np.abs(r)))
    return Claim(
        name, "spread", (round(rms, 2), bigger, count),
        f"{share} wrong, with no simple pattern (no scale, transpose, flip, shift or constant offset reproduces "
        f"{name}); the error is {rms:.2g} times the reference's typical size, and {bigger} of the wrong entries "
        f"are larger in magnitude than the reference's",
    )  # fmt: skip


def _single(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    """One wrong entry: say which, and both values."""
    wrong = wrong_mask(got, ref, rtol, atol)
    if int(wrong.sum()) != 1:
        return None
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    at = f"{name}[{', '.join(map(str, index))}]" if index else name
    mine, theirs = got[index], ref[index]
    only = "the only wrong entry is " if wrong.size > 1 else ""
    return Claim(name, "single", (index,), f"{only}{at}: yours is {_value(mine)}, the reference's {_value(theirs)}")


def _value(x: Any) -> str:
    return repr(bool(x)) if isinstance(x, (bool, np.bool_)) else str(int(x)) if isinstance(x, (int, np.integer)) else _number(float(x))


def _nonfinite(name: str, got: np.ndarray) -> Claim | None:
    """Where the NaN or infinite entries are: whole slices (a row, a column) if they fill some."""
    bad = ~np.isfinite(got.astype(np.float64))
    if not np.any(bad):
        return None
    full = []
    covered = np.zeros_like(bad)
    for axis in range(got.ndim):
        others = tuple(a for a in range(got.ndim) if a != axis)
        whole = [int(i) for i in np.nonzero(np.all(bad, axis=others) if others else bad)[0]]
        if whole and len(whole) < got.shape[axis]:
            full.append((axis, tuple(whole)))
            index = [slice(None)] * got.ndim
            index[axis] = whole
            covered[tuple(index)] = True
    count = int(bad.sum())
    if full and np.array_equal(covered, bad) and got.ndim > 1:
        where = "; ".join(f"index {', '.join(map(str, idx))} of axis {axis}" for axis, idx in full)
        return Claim(name, "nonfinite", (tuple(full), count), f"the {count} NaN or infinite entries of {name} fill whole slices: {where}")
    return Claim(name, "nonfinite", ((), count), f"{count} of {bad.size} entries of {name} are NaN or infinite")


def describe_values(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float, sizes: dict | None = None) -> list[Claim]:
    """Claims about an array of the right shape whose values differ."""
    if not (_numeric(got) and _numeric(ref)) or got.shape != ref.shape:
        return []
    dtype = _dtype(name, got, ref)
    if dtype is not None:
        return [dtype]
    if not np.all(np.isfinite(got.astype(np.float64))):
        return [c for c in (_nonfinite(name, got), _where(name, got, ref, rtol, atol)) if c is not None]
    single = _single(name, got, ref, rtol, atol)
    if single is not None:
        return [single]
    if not _informative(ref, rtol, atol) or got.dtype.kind == "b":
        found = [c for c in (_where(name, got, ref, rtol, atol), _spread(name, got, ref, rtol, atol)) if c is not None]
        return found[:1] if found and found[0].params[0] != "every" else found[-1:]
    for find in (_single, _scaled, _permuted, _flipped, _shifted, _rearranged):
        claim = find(name, got, ref, rtol, atol, sizes) if find is _scaled else find(name, got, ref, rtol, atol)
        if claim is not None:
            return [claim]
    where, offset = _where(name, got, ref, rtol, atol), _offset(name, got, ref, rtol, atol)
    if where is not None and where.params[0] == "every" and len(where.params) == 1:
        where = None  # "every entry is wrong" alone: the spread says it, with the error's size
    claims = [c for c in (where, offset) if c is not None]
    if not claims:
        spread = _spread(name, got, ref, rtol, atol)
        claims = [spread] if spread else []
    return claims


# ---------------------------------------------------------------- shapes


def block_slices(offset: tuple[int, ...], shape: tuple[int, ...]) -> tuple[slice, ...]:
    return tuple(slice(o, o + s) for o, s in zip(offset, shape, strict=True))


def _block_words(offset: tuple[int, ...], small: tuple[int, ...], big: tuple[int, ...]) -> str:
    parts = []
    for axis, (o, s, b) in enumerate(zip(offset, small, big, strict=True)):
        if s == b:
            continue
        if o == 0:
            parts.append(f"the first {s} of {b} positions along axis {axis}")
        elif o + s == b:
            parts.append(f"the last {s} of {b} positions along axis {axis}")
        else:
            parts.append(f"positions {o} to {o + s - 1} of {b} along axis {axis}")
    return ", ".join(parts)


def _block(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    """``got`` is a block of ``ref`` (a crop), or ``ref`` is a block of ``got`` (extra entries)."""
    if got.ndim != ref.ndim:
        return None
    smaller = all(g <= r for g, r in zip(got.shape, ref.shape, strict=True))
    larger = all(g >= r for g, r in zip(got.shape, ref.shape, strict=True))
    if not (smaller or larger):
        return None
    small, big = (got, ref) if smaller else (ref, got)
    ranges = [range(b - s + 1) for s, b in zip(small.shape, big.shape, strict=True)]
    if math.prod(len(r) for r in ranges) > MAX_BLOCK_OFFSETS:
        return None
    for offset in itertools.product(*ranges):
        part = big[block_slices(offset, small.shape)]
        if smaller and _informative(part, rtol, atol) and close(got, part, rtol, atol):
            where = _block_words(offset, small.shape, big.shape)
            return Claim(name, "crop", (offset,), f"{name} is the reference cut down to {where}: those values are right, the rest is missing")
        if larger and _informative(ref, rtol, atol) and close(part, ref, rtol, atol):
            where = _block_words(offset, small.shape, big.shape)
            return Claim(name, "contains", (offset,), f"{name} holds the whole reference at {where}, plus entries the reference does not have")
    return None


REDUCTIONS = {"sum": np.sum, "mean": np.mean, "max": np.max}


def _reduced(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float) -> Claim | None:
    """The student reduced an axis the reference keeps, or kept one the reference reduces."""
    for op, fn in REDUCTIONS.items():
        for axis in range(max(got.ndim, ref.ndim)):
            for keep in (False, True):
                if ref.ndim == got.ndim + (0 if keep else 1) and axis < ref.ndim and ref.shape[axis] > 1:
                    if fn(ref, axis=axis, keepdims=keep).shape == got.shape and _informative(ref, rtol, atol):
                        if close(got, fn(ref, axis=axis, keepdims=keep), rtol, atol):
                            verb = {"sum": "summed", "mean": "averaged", "max": "the maximum taken"}[op]
                            return Claim(name, "reduced", (op, axis, keep), f"{name} is the reference {verb} over axis {axis}{' (kept as size 1)' if keep else ''}: that axis should stay")
                if got.ndim == ref.ndim + (0 if keep else 1) and axis < got.ndim and got.shape[axis] > 1:
                    if fn(got, axis=axis, keepdims=keep).shape == ref.shape and _informative(ref, rtol, atol):
                        if close(fn(got, axis=axis, keepdims=keep), ref, rtol, atol):
                            verb = {"sum": "summing", "mean": "averaging", "max": "taking the maximum of"}[op]
                            return Claim(name, "unreduced", (op, axis, keep), f"{verb} {name} over its axis {axis} gives the reference: that axis should be reduced")
    if got.ndim == ref.ndim + 1 and 1 in got.shape:
        for axis, size in enumerate(got.shape):
            if size == 1 and close(np.squeeze(got, axis), ref, rtol, atol):
                return Claim(name, "extra axis", (axis,), f"{name} holds the reference's values with an extra axis {axis} of size 1")
    if got.size == ref.size and _informative(ref, rtol, atol) and close(got.reshape(ref.shape), ref, rtol, atol):
        shape = ", ".join(map(str, ref.shape))
        return Claim(name, "reshaped", (tuple(ref.shape),), f"{name} holds the reference's values in another shape: {name}.reshape({shape}) is the reference")
    return None


def _shape_words(name: str, got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if len(got) != len(want):
        return f"{name} has {len(got)} axes, the reference {len(want)}"
    parts = []
    for axis, (g, w) in enumerate(zip(got, want, strict=True)):
        if g != w:
            more = g - w
            parts.append(f"{abs(more)} {'more' if more > 0 else 'fewer'} {'entry' if abs(more) == 1 else 'entries'} along axis {axis} ({g}, expected {w})")
    return f"{name} has " + " and ".join(parts)


# ---------------------------------------------------------------- size rules

# plain words for each rule; the rule is named only when its formula gives the student's shape
RULE_WORDS = {
    "ceil": "the size formula rounded up instead of down",
    "floor": "the size formula rounded down instead of up",
    "true division": "the size formula with / instead of //",
    "no padding": "the size formula without the padding",
    "padding once": "the size formula with the padding counted once instead of twice",
    "padding added": "the size formula with the padding added instead of subtracted",
    "no dilation": "the size formula without the dilation",
    "no stride": "the size formula with stride 1",
    "stride as kernel": "the size formula with the stride equal to the kernel size",
    "no output padding": "the size formula without the output padding",
    "trailing": "the size formula with a trailing block after the last sample (W*factor)",
    "width from height": "the size formula with the width computed from the height's parameters",
    "height from width": "the size formula with the height computed from the width's parameters",
    "axes swapped": "the size formula with each (h, w) parameter pair read as (w, h)",
}


def _length(formula: str, g: dict, rule: str) -> float | None:
    """The output length along one axis under ``rule`` (None where the rule does not apply)."""
    n, k, s, p, d, op = (g.get(key, default) for key, default in (("n", 0), ("k", 1), ("s", 1), ("p", 0), ("d", 1), ("op", 0)))
    if rule == "no padding":
        p = 0
    elif rule == "padding once":
        p = p / 2
    elif rule == "no dilation":
        d = 1
    elif rule == "no stride":
        s = 1
    elif rule == "stride as kernel":
        s = k
    elif rule == "no output padding":
        op = 0
    if formula in ("conv", "pool"):
        span = n + 2 * p - d * (k - 1) - 1
        if rule == "ceil":
            return math.ceil(span / s) + 1
        if rule == "true division":
            return span / s + 1
        return math.floor(span / s) + 1
    if formula == "transposed":
        sign = 1 if rule == "padding added" else -1
        return (n - 1) * s + sign * 2 * p + d * (k - 1) + op + 1
    if formula == "upsample":
        return n * s if rule == "trailing" else (n - 1) * s + 1
    if formula == "downsample":
        return math.floor(n / s) if rule == "floor" else math.ceil(n / s)
    return None


def rule_shape(geometry: dict, rule: str, lead: tuple[int, ...]) -> tuple | None:
    """The output shape ``lead + spatial sizes`` under ``rule`` (``""``: the correct formula)."""
    axes = [dict(a) for a in geometry["axes"]]
    if rule in ("width from height", "height from width") and len(axes) == 2:
        source = axes[0] if rule == "width from height" else axes[1]
        target = 1 if rule == "width from height" else 0
        axes[target] = {**source, "n": axes[target]["n"]}
    elif rule == "axes swapped" and len(axes) == 2:
        keys = [key for key in axes[0] if key != "n"]
        axes = [{**axes[0], **{key: axes[1][key] for key in keys}}, {**axes[1], **{key: axes[0][key] for key in keys}}]
    sizes = []
    for a in axes:
        value = _length(geometry["formula"], a, "" if rule in ("width from height", "height from width", "axes swapped") else rule)
        if value is None:
            return None
        sizes.append(value)
    return tuple(lead) + tuple(sizes)


def _size_of(got: Any, want: Any, geometry: dict) -> tuple[tuple, tuple, bool] | None:
    """(the student's size, the leading axes, scalar) where the geometry applies, else None."""
    scalar = not isinstance(want, np.ndarray)
    if scalar:
        if not isinstance(got, (int, float, np.integer, np.floating)) or isinstance(got, (bool, np.bool_)) or len(geometry["axes"]) != 1:
            return None
        return (float(got) if isinstance(got, (float, np.floating)) else int(got),), (), True
    if not isinstance(got, np.ndarray) or got.ndim != want.ndim:
        return None
    lead = tuple(want.shape[: want.ndim - len(geometry["axes"])])
    if got.shape[: len(lead)] != lead:
        return None
    correct = rule_shape(geometry, "", lead)
    if correct is None or tuple(float(v) for v in correct) != tuple(float(v) for v in want.shape):
        return None  # the declared geometry does not reproduce the reference: say nothing
    return tuple(got.shape), lead, False


def rule_gives(rule: str, geometry: dict, got: Any, want: Any) -> bool | None:
    """Whether ``rule``'s formula gives the student's size (``got``'s shape, or its value for a
    size); None where the geometry does not apply."""
    found = _size_of(got, want, geometry)
    if found is None or rule not in RULE_WORDS:
        return None
    target, lead, scalar = found
    return _same_size(rule_shape(geometry, rule, lead), target, scalar)


def _rules_for(name: str, got: Any, want: Any, rules: tuple[str, ...], geometry: dict | None) -> Claim | None:
    """The declared rules whose formula gives ``got``'s shape (or, for a size, its value)."""
    if not rules or not geometry or "axes" not in geometry or name not in geometry.get("outputs", ("out",)):
        return None
    if _size_of(got, want, geometry) is None or not isinstance(want, np.ndarray) and float(got) == float(want):
        return None
    found = [r for r in rules if rule_gives(r, geometry, got, want)]
    if not found or len(found) > 2:
        return None  # none, or too many to be worth a line
    what = f"{name} = {got!r}" if not isinstance(want, np.ndarray) else f"{name}'s shape {tuple(got.shape)}"
    words = " or ".join(RULE_WORDS[r] for r in found)
    return Claim(name, "size rule", (tuple(found),), f"{what} is what {words} gives")


def size_rule_claim(name: str, got: Any, want: Any, rules: tuple[str, ...], geometry: dict) -> Claim | None:
    """The size-rule claim restricted to ``rules`` (those that hold over the whole check)."""
    return _rules_for(name, got, want, rules, geometry)


def _same_size(shape: tuple | None, target: tuple, scalar: bool) -> bool:
    """A rule's size equals the student's: a float size only from a float rule (3.0 is not 3)."""
    if shape is None or len(shape) != len(target):
        return False
    if scalar and isinstance(shape[0], float) != isinstance(target[0], float):
        return False
    return all(float(a) == float(b) for a, b in zip(shape, target, strict=True))


def describe_shape(name: str, got: np.ndarray, ref: np.ndarray, rtol: float, atol: float, rules: tuple[str, ...] = (), geometry: dict | None = None) -> list[Claim]:
    """Claims about an array whose shape differs from the reference's."""
    if not (_numeric(got, empty=True) and _numeric(ref, empty=True)) or got.shape == ref.shape:
        return []
    claims = []
    rule = _rules_for(name, got, ref, rules, geometry)
    if rule is not None:
        claims.append(rule)
    if got.size == 0 or ref.size == 0:
        return claims or [Claim(name, "shape", (tuple(got.shape), tuple(ref.shape)), _shape_words(name, got.shape, ref.shape))]
    if sorted(got.shape) == sorted(ref.shape) and got.ndim == ref.ndim:
        permuted = _permuted(name, got, ref, rtol, atol)
        if permuted is not None:
            return claims + [permuted]
    for find in (_block, _reduced):
        claim = find(name, got, ref, rtol, atol)
        if claim is not None:
            return claims + [claim]
    return claims or [Claim(name, "shape", (tuple(got.shape), tuple(ref.shape)), _shape_words(name, got.shape, ref.shape))]


def _first_wrong(got: dict, expected: dict, rtol: float, atol: float) -> str | None:
    """The output the check's message reports: the first one, in order, that fails."""
    from .checklib import CheckFailure, assert_outputs

    for name, want in expected.items():
        try:
            assert_outputs({name: got.get(name)}, {name: want}, rtol=rtol, atol=atol, context="")
        except CheckFailure:
            return name
        except Exception:  # noqa: BLE001 - a value the comparison cannot read: it fails there
            return name
    return None


def describe(
    got: Any, expected: dict, rtol: float, atol: float, rules: tuple[str, ...] = (), geometry: dict | None = None
) -> list[Claim]:
    """Claims about the output of a failed check that its message reports (the first wrong one)."""
    if not isinstance(got, dict):
        return []
    name = _first_wrong(got, expected, rtol, atol)
    if name is None:
        return []
    value, want = got.get(name), expected[name]
    if isinstance(want, np.ndarray):
        if type(value) is not np.ndarray:
            return []
        if value.shape != want.shape:
            return describe_shape(name, value, want, rtol, atol, rules, geometry)
        return describe_values(name, value, want, rtol, atol, (geometry or {}).get("sizes"))
    if isinstance(want, (int, np.integer)) and not isinstance(want, (bool, np.bool_)):
        claim = _rules_for(name, value, want, rules, geometry)
        return [claim] if claim else []
    if isinstance(want, (float, np.floating)) and isinstance(value, (float, np.floating, int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        ratio = _ratio(name, float(value), float(want), rtol, atol)
        return [ratio] if ratio else []
    items = _items(name, value, want)
    return [items] if items else []


def _ratio(name: str, got: float, want: float, rtol: float, atol: float) -> Claim | None:
    """A float that is the reference times a simple number (2, 1/4, -1)."""
    if not np.isfinite(got) or abs(want) <= atol or got == 0:
        return None
    words = _factor_words(got / want)
    if words is None or not close(np.asarray(got), np.asarray(words[0] * want), rtol, atol):
        return None
    return Claim(name, "ratio", (words[0],), f"{name} is exactly {words[1]}")


def _hashable_items(value: Any) -> list | None:
    if type(value) not in (list, tuple):
        return None
    return [tuple(i) if isinstance(i, list) else i for i in value]


def _items(name: str, got: Any, want: Any) -> Claim | None:
    """A list of items (centers, pairs): how many of the expected ones the student's holds."""
    mine, theirs = _hashable_items(got), _hashable_items(want)
    if mine is None or theirs is None or not all(isinstance(i, tuple) for i in theirs + mine):
        return None  # a shape or a list of numbers: position matters, the message says it
    try:
        expected, yours = set(theirs), set(mine)
    except TypeError:
        return None
    found, extra = len(expected & yours), len(yours - expected)
    if not mine:
        return Claim(name, "items", (0, 0, "empty"), f"{name} is empty; {_plural(len(expected), 'item')} expected")
    if found == len(expected) and not extra:
        why = "order" if len(mine) == len(theirs) else "repeats"
        return Claim(name, "items", (found, extra, why), f"{name} holds the expected items, {'in another order' if why == 'order' else 'some of them more than once'}")
    return Claim(
        name, "items", (found, extra, ""),
        f"{found} of the {len(expected)} expected items are in {name}, and {extra} of its {len(yours)} are not expected",
    )  # fmt: skip


def line(claims: list[Claim]) -> str:
    """The student-facing line, or "" when nothing was verified."""
    return "What differs: " + "; ".join(c.text for c in claims) + "." if claims else ""


def verify(claim: Claim, got: Any, want: Any, rtol: float, atol: float, geometry: dict | None = None) -> bool:
    """Re-check a claim on the arrays (the grader checks each claim before printing it)."""
    kind, p = claim.kind, claim.params
    if kind == "scaled":
        return close(got, p[0] * want, rtol, atol)
    if kind == "permuted":
        return close(got, want.transpose(p[0]), rtol, atol)
    if kind == "flipped":
        return close(got, np.flip(want, p[0]), rtol, atol)
    if kind == "shifted":
        g, r = shift_slices(want.ndim, *p)
        return close(got[g], want[r], rtol, atol)
    if kind == "dtype":
        return str(got.dtype) == p[0] and close(got.astype(np.float64), want.astype(np.float64), p[1], p[1] * float(np.max(np.abs(want)) or 1.0))
    if kind == "crop":
        return close(got, want[block_slices(p[0], got.shape)], rtol, atol)
    if kind == "contains":
        return close(got[block_slices(p[0], want.shape)], want, rtol, atol)
    if kind in ("reduced", "unreduced"):
        op, axis, keep = p
        fn = REDUCTIONS[op]
        return close(got, fn(want, axis=axis, keepdims=keep), rtol, atol) if kind == "reduced" else close(fn(got, axis=axis, keepdims=keep), want, rtol, atol)
    if kind == "extra axis":
        return close(np.squeeze(got, p[0]), want, rtol, atol)
    if kind == "where":
        wrong = wrong_mask(got, want, rtol, atol)
        return _where(claim.output, got, want, rtol, atol) == claim and bool(wrong.any())
    if kind == "rearranged":
        return close(np.sort(got.astype(np.float64), axis=None), np.sort(want.astype(np.float64), axis=None), rtol, atol)
    if kind == "reshaped":
        return got.size == want.size and close(got.reshape(p[0]), want, rtol, atol)
    if kind == "ratio":
        return close(np.asarray(float(got)), np.asarray(p[0] * float(want)), rtol, atol)
    if kind == "items":
        return _items(claim.output, got, want) == claim
    if kind == "single":
        return _single(claim.output, got, want, rtol, atol) == claim
    if kind == "nonfinite":
        return _nonfinite(claim.output, got) == claim
    if kind in ("offset", "spread"):
        finder = _offset if kind == "offset" else _spread
        return finder(claim.output, got, want, rtol, atol) == claim
    if kind == "size rule":
        return _rules_for(claim.output, got, want, p[0], geometry) == claim
    if kind == "shape":
        return tuple(got.shape) == p[0] and tuple(want.shape) == p[1]
    return False
