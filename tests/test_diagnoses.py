"""Diagnostic feedback: the mutant catalog is diagnosed by name, correct code never is, no
diagnosis reveals a hidden test; measured leave-one-out, the catalog names no other
misconception; every failed array comparison carries a line, and every fact it states is true.

The leave-one-out runs come from the release-time tables (``tests/leave_one_out.py``): each
mutant plays the student, diagnosed by the catalog without it. Nothing is graded again.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import ASSIGNMENTS, by_name, graded_mutant

from autograder import anatomy, checklib
from autograder.grade import grade_files
from autograder.mutants import load_mutants, mutant_files, solution_files
from autograder.release import _distinctive

sys.path.insert(0, str(Path(__file__).parent))
import leave_one_out  # noqa: E402

TARGET_RATE = 0.8
LEAVE_ONE_OUT_RATE = 0.02
WITH_MUTANTS = [a for a in ASSIGNMENTS if load_mutants(a)]


@functools.cache
def measured(name: str, leave_out: bool) -> list:
    return leave_one_out.measure(by_name(name), leave_out)


def diagnosis_table(assignment) -> list[tuple[str, list[str], bool]]:
    rows = []
    for mutant in load_mutants(assignment):
        report = graded_mutant(assignment.name, mutant.name)
        # right: the mutant is named (a bug in relu_backward may also show in the CNN's gradients,
        # where the nearest signature is the CNN's own ReLU mistake: a second, related name)
        rows.append((mutant.name, report.diagnoses, mutant.family in report.diagnoses))
    return rows


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_mutant_catalog_is_diagnosed(assignment):
    """At least 80 % of the mutants are diagnosed by their own name."""
    rows = diagnosis_table(assignment)
    print(f"\n{assignment.name}: mutant -> diagnosis")
    for name, found, right in rows:
        print(f"  {'ok ' if right else '-- '} {name:<40} {', '.join(found) or '(none)'}")
    rate = sum(right for _, _, right in rows) / len(rows)
    print(f"  diagnosis rate: {rate:.0%} of {len(rows)}")
    assert rate >= TARGET_RATE, f"only {rate:.0%} of the mutants are diagnosed"


@pytest.mark.parametrize("assignment", ASSIGNMENTS, ids=lambda a: a.short_name)
def test_correct_code_gets_no_diagnosis(assignment):
    correct = [("solution", solution_files(assignment))]
    for example in sorted((assignment.directory / "examples").glob("*correct*")):
        if example.is_dir():
            correct.append((example.name, {p.name: p.read_bytes() for p in example.glob("*.py")}))
        elif example.suffix == ".py":
            correct.append((example.stem, {assignment.files[0]: example.read_bytes()}))
    for name, files in correct:
        report = grade_files(assignment, files, name)
        assert report.score == assignment.max_score and report.diagnoses == [], name


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_diagnoses_are_deterministic_and_reveal_no_hidden_test(assignment):
    hidden = (assignment.directory / "tests" / "hidden.py").read_text().splitlines()
    public = {line.strip() for line in (assignment.directory / "tests" / "public.py").read_text().splitlines()}
    secrets = _distinctive(hidden, public, 24)
    explanations = {" ".join(m.explanation.split()) for m in load_mutants(assignment)}
    for mutant in load_mutants(assignment)[:3]:
        first = graded_mutant(assignment.name, mutant.name)
        second = grade_files(assignment, mutant_files(assignment, mutant), mutant.name)
        assert [r.message for r in first.results] == [r.message for r in second.results]
        for result in first.results:
            for line in re.findall(r"Likely cause(?: \(.*?\))?: (.*)", result.message):
                # a diagnosis line is a catalog explanation, nothing case-specific
                assert line in explanations, line
                assert not any(secret in line for secret in secrets)


# ---------------------------------------------------------------- leave-one-out (from the tables)


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_leave_one_out_names_no_other_misconception(assignment):
    """Each mutant diagnosed by the catalog minus itself (and its family and declared siblings):
    a "Likely cause" it then gets names another misconception. At most 2 % of them may; with the
    whole catalog, 80 % are named by their own family."""
    rows = measured(assignment.name, True)
    wrong = [r for r in rows if r.named]
    print(f"\n{assignment.name}: leave-one-out wrong lines {len(wrong)} of {len(rows)} mutants")
    for r in wrong:
        print(f"  {r.mutant}: named {sorted(r.named)}")
    assert len(wrong) <= LEAVE_ONE_OUT_RATE * len(rows), [(r.mutant, sorted(r.named)) for r in wrong]
    own = measured(assignment.name, False)
    assert sum(r.family in r.named for r in own) >= TARGET_RATE * len(own)


def _first_wrong(s) -> str | None:
    for key, want in s.expected.items():
        try:
            checklib.assert_outputs({key: s.got.get(key)}, {key: want}, rtol=s.case.rtol, atol=s.case.atol, context="")
        except Exception:  # noqa: BLE001
            return key
    return None


@pytest.mark.parametrize("assignment", WITH_MUTANTS, ids=lambda a: a.short_name)
def test_every_failed_array_comparison_carries_a_line(assignment):
    """In every leave-one-out run, each failing hidden case whose reported output is an array gets
    a catalog line or an anatomy line (or both)."""
    bare = []
    for rows in (measured(assignment.name, True), measured(assignment.name, False)):
        for r in rows:
            for s in r.seen:
                if s.passed or s.got is None or not s.case.hidden:
                    continue
                key = _first_wrong(s)
                if isinstance(s.expected.get(key), np.ndarray) and not (r.findings[s.case.id].claims or r.findings[s.case.id].diagnosis):
                    bare.append((r.mutant, s.case.id))
    assert not bare, bare[:10]


def test_every_anatomy_claim_is_true_and_mentions_only_declared_parameters():
    """Every anatomy claim made while diagnosing the whole catalog (all assignments, leave-one-out
    and whole), re-checked on the arrays by code independent of ``anatomy``; and a line names
    padding, stride or dilation only for a check that declared a size rule about it."""
    checked = 0
    for a in WITH_MUTANTS:
        for leave_out in (True, False):
            for r in measured(a.name, leave_out):
                for s in r.seen:
                    finding = r.findings.get(s.case.id)
                    for claim in finding.claims if finding else []:
                        geometry = s.case.geometry() if s.case.geometry else None
                        got, want = s.got[claim.output], s.expected[claim.output]
                        assert independently_true(claim, got, want, s.case.rtol, s.case.atol, geometry), (r.mutant, s.case.id, claim)
                        checked += 1
                    allowed = " ".join(anatomy.RULE_WORDS.get(rule, "") for rule in s.case.size_rules)
                    for line in finding.lines if finding else []:
                        if line.startswith("What differs"):
                            for word in ("padding", "stride", "dilation"):
                                assert word not in line or word in allowed, (r.mutant, s.case.id, line)
    print(f"\n{checked} anatomy claims re-verified")
    assert checked > 500


# ---------------------------------------------------------------- the independent re-check of a claim


def _close(a, b, rtol, atol) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _bad(got, want, rtol, atol) -> np.ndarray:
    g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return ~np.isclose(g, w, rtol=rtol, atol=atol) | ~np.isfinite(g)


def _size(formula: str, n, k=1, s=1, p=0, d=1, op=0):
    if formula in ("conv", "pool"):
        return (n + 2 * p - d * (k - 1) - 1) // s + 1
    if formula == "transposed":
        return (n - 1) * s - 2 * p + d * (k - 1) + op + 1
    if formula == "upsample":
        return (n - 1) * s + 1
    return -(-n // s)


def _rule_sizes(rule: str, geometry: dict) -> list:
    """The spatial sizes under a rule, written out again (not anatomy's code)."""
    formula, axes = geometry["formula"], [dict(a) for a in geometry["axes"]]
    if rule == "axes swapped":
        axes = [{**axes[0], **{k: v for k, v in axes[1].items() if k != "n"}}, {**axes[1], **{k: v for k, v in axes[0].items() if k != "n"}}]
    if rule == "width from height":
        axes[1] = {**axes[0], "n": axes[1]["n"]}
    if rule == "height from width":
        axes[0] = {**axes[1], "n": axes[0]["n"]}
    sizes = []
    for a in axes:
        n, k, s, p, d, op = a["n"], a.get("k", 1), a.get("s", 1), a.get("p", 0), a.get("d", 1), a.get("op", 0)
        span = n + 2 * p - d * (k - 1) - 1
        value = {
            "ceil": lambda: math.ceil(span / s) + 1,
            "true division": lambda: span / s + 1,
            "no padding": lambda: _size(formula, n, k, s, 0, d, op),
            "padding once": lambda: (n + p - d * (k - 1) - 1) // s + 1 if formula in ("conv", "pool") else (n - 1) * s - p + d * (k - 1) + op + 1,
            "padding added": lambda: (n - 1) * s + 2 * p + d * (k - 1) + op + 1,
            "no dilation": lambda: _size(formula, n, k, s, p, 1, op),
            "no stride": lambda: _size(formula, n, k, 1, p, d, op),
            "no output padding": lambda: _size(formula, n, k, s, p, d, 0),
            "trailing": lambda: n * s,
            "floor": lambda: n // s,
        }.get(rule, lambda: _size(formula, n, k, s, p, d, op))()
        sizes.append(value)
    return sizes


def independently_true(claim, got, want, rtol, atol, geometry) -> bool:
    kind, p = claim.kind, claim.params
    if kind == "scaled":
        k = round(abs(p[0]) if abs(p[0]) >= 1 else 1 / abs(p[0]))
        named = not p[1] or math.prod((geometry or {})["sizes"][n] for n in p[1].split("·")) == k
        return named and _close(got, p[0] * np.asarray(want, dtype=np.float64), rtol, atol)
    if kind == "permuted":
        return _close(got, np.transpose(want, p[0]), rtol, atol)
    if kind == "flipped":
        index = tuple(slice(None, None, -1) if a in p[0] else slice(None) for a in range(want.ndim))
        return _close(got, want[index], rtol, atol)
    if kind == "shifted":
        axis, step = p
        moved = np.moveaxis(got, axis, 0), np.moveaxis(want, axis, 0)
        return _close(moved[0][1:], moved[1][:-1], rtol, atol) if step > 0 else _close(moved[0][:-1], moved[1][1:], rtol, atol)
    if kind == "dtype":
        return str(got.dtype) == p[0] and got.dtype != want.dtype and _close(got, want, p[1], p[1] * max(1.0, float(np.abs(want).max())))
    if kind in ("crop", "contains"):
        small = got if kind == "crop" else want
        big = want if kind == "crop" else got
        index = tuple(slice(o, o + n) for o, n in zip(p[0], small.shape, strict=True))
        return _close(small, big[index], rtol, atol) if kind == "contains" else _close(got, big[index], rtol, atol)
    if kind in ("reduced", "unreduced"):
        op, axis, keep = p
        fn = {"sum": np.sum, "mean": np.mean, "max": np.max}[op]
        return _close(got, fn(want, axis=axis, keepdims=keep), rtol, atol) if kind == "reduced" else _close(fn(got, axis=axis, keepdims=keep), want, rtol, atol)
    if kind == "rearranged":
        return _close(np.sort(got, axis=None), np.sort(want, axis=None), rtol, atol)
    if kind == "reshaped":
        return got.size == want.size and _close(np.reshape(got, want.shape), want, rtol, atol)
    if kind == "ratio":
        return _close(float(got), p[0] * float(want), rtol, atol)
    if kind == "extra axis":
        return got.shape[p[0]] == 1 and _close(np.squeeze(got, axis=p[0]), want, rtol, atol)
    if kind == "where":
        bad = _bad(got, want, rtol, atol)
        if p[0] == "every":
            ok = bool(bad.all())
        else:
            ok = bool(bad.any())
            for axis, allowed in enumerate(p[1]):
                if allowed is not None:
                    hit = set(np.nonzero(np.moveaxis(bad, axis, 0).reshape(bad.shape[axis], -1).any(axis=1))[0].tolist())
                    ok = ok and hit == set(allowed)
        if "zero" in p:
            ok = ok and bool(np.all(np.asarray(got)[bad] == 0)) and bool(np.all(np.asarray(want)[bad] != 0))
        if "reference zero" in p:
            ok = ok and bool(np.all(np.asarray(want)[bad] == 0))
        return ok
    if kind == "single":
        bad = _bad(got, want, rtol, atol)
        return int(bad.sum()) == 1 and bool(bad[p[0]])
    if kind == "offset":
        axes, value = p
        diff = np.asarray(got, dtype=np.float64) - np.asarray(want, dtype=np.float64)
        tol = atol + rtol * float(np.abs(want).max())
        ok = all(np.all(np.abs(diff - np.take(diff, [0], axis=a)) <= tol) for a in axes)
        return ok and (value is None or bool(np.all(np.abs(diff - value) <= tol)))
    if kind == "spread":
        bad = _bad(got, want, rtol, atol)
        if p[0] == "bool":
            return int((bad & np.asarray(got, dtype=bool)).sum()) == p[1] and int((bad & ~np.asarray(got, dtype=bool)).sum()) == p[2]
        return int(bad.sum()) == p[2] and int((np.abs(got) > np.abs(want))[bad].sum()) == p[1]
    if kind == "nonfinite":
        bad = ~np.isfinite(np.asarray(got, dtype=np.float64))
        ok = int(bad.sum()) == p[1]
        for axis, indices in p[0]:
            for i in indices:
                ok = ok and bool(np.all(np.take(bad, i, axis=axis)))
        return ok
    if kind == "items":
        mine, theirs = {tuple(i) for i in got}, {tuple(i) for i in want}
        return p[2] == "empty" and not got or (len(mine & theirs), len(mine - theirs)) == (p[0], p[1])
    if kind == "shape":
        return tuple(got.shape) == p[0] and tuple(want.shape) == p[1]
    if kind == "size rule":
        if not isinstance(want, np.ndarray):
            sizes = [_rule_sizes(rule, geometry)[0] for rule in p[0]]
            return all(v == got and isinstance(v, float) == isinstance(got, float) for v in sizes)
        spatial = len(geometry["axes"])
        return all(list(got.shape[-spatial:]) == [float(v) for v in _rule_sizes(rule, geometry)] for rule in p[0]) and got.shape[:-spatial] == want.shape[:-spatial]
    return False


# ---------------------------------------------------------------- anatomy on small arrays


def _claims(got, want, rtol=1e-7, atol=1e-9, **kwargs):
    return anatomy.describe({"out": got}, {"out": want}, rtol, atol, **kwargs)


def test_anatomy_names_each_transformation_it_verifies():
    rng = np.random.default_rng(0)
    ref = rng.standard_normal((2, 3, 4, 5))
    cases = {
        "scaled": ref / 40, "permuted": ref.transpose(0, 1, 3, 2), "flipped": ref[:, :, ::-1], "crop": ref[:, :, :3, 1:],
        "contains": np.pad(ref, ((0, 0), (0, 0), (1, 0), (0, 1))), "reduced": ref.sum(axis=1), "extra axis": ref[:, None],
        "dtype": ref.astype(np.float32), "single": np.where(np.arange(ref.size).reshape(ref.shape) == 7, 0.0, ref),
    }  # fmt: skip
    shifted = ref.copy()
    shifted[..., 1:] = ref[..., :-1]
    cases["shifted"] = shifted
    for kind, got in cases.items():
        claims = _claims(got, ref)
        assert [c.kind for c in claims][-1:] == [kind], (kind, claims)
        assert independently_true(claims[-1], got, ref, 1e-7, 1e-9, None), claims
    assert "divided by 40" in _claims(ref / 40, ref)[0].text
    assert "sign flipped" in _claims(-ref, ref)[0].text
    border = ref.copy()
    border[:, 1, :, -1] += 1.0
    where = next(c for c in _claims(border, ref) if c.kind == "where")
    assert where.kind == "where" and "index 1 of axis 1" in where.text and "last position of axis 3" in where.text


def test_anatomy_names_a_size_rule_only_when_its_formula_gives_the_shape():
    geometry = {"formula": "conv", "axes": [{"n": 8, "k": 3, "s": 2, "p": 0, "d": 1}], "outputs": ["out"]}
    ref = np.ones((1, 1, 3))
    (claim,) = _claims(np.ones((1, 1, 4)), ref, rules=("ceil", "no dilation"), geometry=geometry)[:1]
    assert claim.kind == "size rule" and "rounded up" in claim.text and "dilation" not in claim.text
    # no declared rule gives 6 positions: the shapes are stated, and nothing is said of padding
    claims = _claims(np.ones((1, 1, 6)), ref, rules=("ceil",), geometry=geometry)
    assert claims and all("padding" not in c.text and "stride" not in c.text for c in claims)
    assert not any(c.kind == "size rule" for c in _claims(np.ones((1, 1, 4)), ref))  # no rules declared


def test_root_cause_first_instead_of_a_downstream_name():
    """hw1: correlate2d flips (so convolve2d, written with it, does not): without its own entry in
    the catalog, q3 is not blamed on convolve2d; the line points at correlate2d."""
    (row,) = [r for r in measured("hw1_convolution", True) if r.mutant == "correlate2d_flips"]
    q3 = [f for cid, f in row.findings.items() if cid.startswith("q3/hidden")]
    assert q3 and all(not f.diagnosis and f.lines[0].startswith("Root cause first: if your convolve2d uses your correlate2d") for f in q3)


def test_a_failure_message_alone_never_names_a_misconception():
    """hw1's output_size_no_validation fails only the "raises ValueError" cases, whose message
    ("the exception raised is None, expected ValueError") many mistakes share: no catalog line."""
    (row,) = [r for r in measured("hw1_convolution", False) if r.mutant == "output_size_no_validation"]
    assert row.failing and not row.named


def test_root_cause_first_when_the_question_fails_too():
    """A failing check that runs another question's function failing its own hidden cases points
    there, even when the question's own hidden cases fail as well (no "Likely cause")."""
    from autograder.report import CaseResult
    from autograder.verdicts import Calls, name_the_broken_function

    def result(case_id, question, passed):
        return CaseResult(case_id, question, case_id, "cpu", True, float(passed), 1.0, passed, "dx values differ")

    results = [result("q7/hidden/0", "q7", False), result("q7/hidden/1", "q7", True), result("q6/hidden/0", "q6", False)]
    calls = {r.case_id: Calls({"conv2d_forward", "conv2d_backward"}) for r in results}
    calls["q6/hidden/0"] = Calls({"conv2d_forward"})
    assert name_the_broken_function(by_name("hw1"), results, calls) == {"q7/hidden/0"}
    assert results[0].message == (
        "dx values differ\nRoot cause first: this check also runs your conv2d_forward, which fails 1 hidden case of its own: fix that first."
    )
