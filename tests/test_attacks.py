"""The attack catalog (``tests/attacks/``), graded through the real paths, in both modes.

- ``python -m autograder grade``: every attack in one batch per assignment beside honest
  submissions, with namespaces and without (``CONVLAB_NO_NAMESPACES=1``, as on Gradescope);
- the otter zip under a real ``otter run`` (namespaces), for the attacks aimed at what differs
  there: the grader's parent and files, otter's output, the zip's engine (tables, no torch);
- the Gradescope simulator (no namespaces, a 768 MB container, no checkout) for the attacks
  aimed at what differs there: the memory envelope, the files the container holds, the
  processes its harness waits for, the grader dying (header ``# gradescope: yes``).

What happens inside the worker alone (a value it returns, a loop, an exit, a patched library, a
refused system call, a socket, a frame it writes) is the same engine in the same mode on every
path: the two batches grade every attack in both modes, so those attacks skip the slower paths.

An attack is appended to one solution file, like a mutant. Header lines:
``# assignment: hw4`` (default hw1), ``# target: models.py`` (default the first file),
``# zeroes: q3`` / ``all`` / ``none`` (those questions score 0, every other keeps full marks),
``# message: ...`` (a phrase the student's feedback must show), ``# listener: yes`` (the test
runs a TCP listener whose port replaces ``_EXFIL_PORT = 0``: nothing may reach it),
``# otter: no`` (it stays inside the worker: the batches grade it in both modes, and the
simulator, which runs the zip's own otter, where it says ``gradescope: yes``).
``_ROOT = None`` becomes the checkout's path. A line ``STOLEN <path>`` in what a submission
prints names a secret it read: a failing assertion shows it.
The outcome is the same in both modes; nothing leaks, nothing outlives grading.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import by_name, shared_dir, student_upload, zip_engine_env

from autograder.config import ROOT, Assignment
from autograder.mutants import solution_files, starter_files, write_submission
from autograder.release import _distinctive
from autograder.sandbox import isolation, running_as_root

ATTACKS = sorted((Path(__file__).parent / "attacks").glob("*.py"))
MODES = ["namespaces", "plain"]
MARKER = "convlab-attack-leftover-marker"


def header(path: Path, key: str) -> str | None:
    match = re.search(rf"^# {key}: (.*)$", path.read_text(), re.MULTILINE)
    return match.group(1).strip() if match else None


def assignment_of(path: Path) -> Assignment:
    return by_name(header(path, "assignment") or "hw1")


def attack_files(path: Path, tag: str, port: int = 0) -> dict[str, bytes]:
    """The attacked submission: a solution file with the attack appended (a section after a line
    ``# ---- append to: resnet.py`` goes to that file; ``# ---- drop from resnet.py: f, g``
    deletes those top-level functions from it); its leftover processes and planted files are
    named after ``tag`` so tests running in parallel each look for their own."""
    a = assignment_of(path)
    target = header(path, "target") or a.files[0]
    attack = path.read_text().replace(MARKER, f"{MARKER}-{tag}").replace("_EXFIL_PORT = 0", f"_EXFIL_PORT = {port}")
    attack = attack.replace("PWNED_", f"PWNED_{tag}_")  # what it plants, named after the test that looks for it
    attack = attack.replace("_ROOT = None", f"_ROOT = {str(ROOT)!r}")
    files = solution_files(a)
    for name, dropped in re.findall(r"^# ---- drop from (\S+): (.*)$", attack, flags=re.MULTILINE):
        files[name] = _without(files[name], {d.strip() for d in dropped.split(",")})
    sections = re.split(r"^# ---- append to: (\S+)$", attack, flags=re.MULTILINE)
    for name, text in zip([target, *sections[1::2]], sections[0::2], strict=True):
        files[name] = files[name] + b"\n\n# ---- attack\n" + text.encode()
    return files


def _without(source: bytes, names: set[str]) -> bytes:
    """``source`` without its top-level functions called ``names`` (their decorators included)."""
    import ast

    lines = source.decode().splitlines(keepends=True)
    for node in reversed(ast.parse(source).body):
        if isinstance(node, ast.FunctionDef) and node.name in names:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
            del lines[start : node.end_lineno]
    return "".join(lines).encode()


def zeroed(path: Path) -> set[str]:
    a, spec = assignment_of(path), header(path, "zeroes")
    if spec == "all":
        return {q.id for q in a.questions}
    return set() if spec in (None, "none") else {q.strip() for q in spec.split(",")}


def assert_no_secrets(a: Assignment, text: str) -> None:
    public = {line.strip() for line in (a.directory / "tests" / "public.py").read_text().splitlines()}
    for secret in _distinctive((a.directory / "tests" / "hidden.py").read_text().splitlines(), public, 24):
        assert secret not in text, f"a hidden test line reached the student: {secret!r}"
    for word in ("hidden.py", f"solutions/{a.name}", "otter_config.json", "tables.bin"):
        assert word not in text, f"{word} reached the student's output"


LEAKED_SHM_BYTES = 100 * 1024 * 1024 + 4096 * 7  # attacks/shared_memory_leak.py's segment


def stolen(text: str) -> str:
    """What a submission says it read (``STOLEN <path>`` lines), for assertion messages."""
    return "; ".join(sorted({line.split()[1] for line in text.splitlines() if line.startswith("STOLEN ") and len(line.split()) > 1})[:5])


def no_leftovers(tag: str) -> None:
    marker = subprocess.run(["pgrep", "-f", f"{MARKER}-{tag}"], capture_output=True, text=True)
    assert marker.stdout.strip() == "", "a process started by a submission outlived grading"
    planted = [p for base in (ROOT, Path("/tmp"), Path("/dev/shm")) for p in base.glob(f"PWNED_{tag}_*")]
    assert not planted, f"a submission wrote outside its sandbox: {planted}"
    segments = Path("/proc/sysvipc/shm").read_text().splitlines()[1:] if Path("/proc/sysvipc/shm").is_file() else []
    assert not [s for s in segments if s.split()[3] == str(LEAKED_SHM_BYTES)], "a submission's shared memory outlived grading"


def mode_env(mode: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("CONVLAB_NO_NAMESPACES", None)
    if mode == "plain":
        env["CONVLAB_NO_NAMESPACES"] = "1"
    return env


def needs(mode: str) -> None:
    if mode == "namespaces" and isolation() != "namespaces":
        pytest.skip("namespaces are unavailable on this machine")


class Listener:
    """A TCP listener on the grading machine that counts the connections a submission makes."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port, self.connections = self.server.getsockname()[1], 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> int:
        self.server.close()
        return self.connections


# ---------------------------------------------------------------- autograder grade, both modes


@pytest.fixture(scope="module", params=MODES)
def batch(request):
    """Every attack plus honest submissions, one `python -m autograder grade --jobs 2` per
    assignment, in one mode. Graded once per session: xdist workers share it through a lock."""
    from filelock import FileLock

    mode = request.param
    needs(mode)
    shared = shared_dir("attack-batches")
    base = shared / f"attack-batch-{mode}"
    with FileLock(str(shared / f"attack-batch-{mode}.lock")):
        if not (base / "done.json").is_file():
            base.mkdir(exist_ok=True)
            (base / "done.json").write_text(json.dumps(_grade_batches(base, mode)))
    done = json.loads((base / "done.json").read_text())
    rows = {}
    for name in done["assignments"]:
        with open(base / name / "out" / "grades.csv", newline="") as f:
            rows.update({(name, r["submission"]): r for r in csv.DictReader(f)})
    return mode, done, rows, base


def _grade_batches(base: Path, mode: str) -> dict:
    listener = Listener()
    done: dict = {"returncodes": {}, "stderr": {}, "assignments": []}
    for a in sorted({assignment_of(p).name: assignment_of(p) for p in ATTACKS}.values(), key=lambda a: a.name):
        subs, out = base / a.name / "subs", base / a.name / "out"
        shutil.rmtree(subs, ignore_errors=True)
        for path in [p for p in ATTACKS if assignment_of(p) is a]:
            write_submission(attack_files(path, f"batch-{mode}", listener.port), subs / path.stem)
        write_submission(solution_files(a), subs / "zz_honest_solution")
        write_submission(starter_files(a), subs / "zz_honest_starter")
        cmd = [sys.executable, "-m", "autograder", "grade", a.short_name, str(subs), "--out", str(out), "--jobs", "2", "--quiet"]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200, env=mode_env(mode))
        done["returncodes"][a.name], done["stderr"][a.name] = result.returncode, result.stderr[-5000:]
        done["assignments"].append(a.name)
    done["connections"] = listener.close()
    return done


def test_batch_survives_every_attack(batch):
    """The grader exits normally with one row per submission, honest rows untouched, nothing left
    behind, and no connection reached the listener on this machine."""
    mode, done, rows, _ = batch
    for name in done["assignments"]:
        assert done["returncodes"][name] == 0, done["stderr"][name]
        a = by_name(name)
        assert float(rows[(name, "zz_honest_solution")]["score"]) == a.max_score, rows[(name, "zz_honest_solution")]
        assert float(rows[(name, "zz_honest_starter")]["score"]) == 0
    assert len(rows) == len(ATTACKS) + 2 * len(done["assignments"])
    assert done["connections"] == 0, f"{done['connections']} connection(s) from submissions reached a listener ({mode})"
    no_leftovers(f"batch-{mode}")


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda p: p.stem)
def test_attack_through_autograder_grade(batch, attack):
    mode, _, rows, base = batch
    a = assignment_of(attack)
    row = rows[(a.name, attack.stem)]
    folder = base / a.name / "out" / attack.stem
    feedback, results = (folder / "feedback.md").read_text(), (folder / "results.json").read_text()
    for q in a.questions:
        expected = 0.0 if q.id in zeroed(attack) else q.points
        assert float(row[q.id]) == expected, f"{mode}: {q.id}: {row[q.id]} (expected {expected}); read: {stolen(feedback)}\n{feedback[:3000]}"
    if header(attack, "message"):
        assert header(attack, "message") in feedback, feedback[:3000]
    assert len(feedback) < 200_000  # output floods are truncated
    assert_no_secrets(a, feedback + results)
    assert "REACHED ['" not in feedback, "a submission reached the network"


# ---------------------------------------------------------------- otter run (namespaces)


@pytest.fixture(scope="module")
def zips(release):
    return lambda a: release(a)[1]


def _scores(results: dict, a: Assignment) -> dict[str, float]:
    """Per question, from otter's results (one test per question) or the engine's (one per case)."""
    scores = {q.id: 0.0 for q in a.questions}
    for test in results["tests"]:
        name = str(test.get("name", "")).split(" ")[0]
        if name in scores and "score" in test:
            scores[name] += float(test["score"])
    return scores


OTTER = [p for p in ATTACKS if header(p, "otter") != "no"]


@pytest.mark.parametrize("attack", OTTER, ids=lambda p: p.stem)
def test_attack_through_otter_run(zips, attack, tmp_path):
    """The same attack under a real `otter run` of the built autograder zip."""
    a = assignment_of(attack)
    tag = f"otter-{attack.stem}"
    listener = Listener()
    upload = student_upload(attack_files(attack, tag, listener.port), tmp_path)
    otter = Path(sys.executable).with_name("otter")
    env = zip_engine_env(zips(a), tmp_path / "zip")
    done = subprocess.run(
        [str(otter), "run", "-a", str(zips(a)), "-o", str(tmp_path), str(upload)], cwd=tmp_path, capture_output=True, text=True, timeout=600, env=env
    )
    assert listener.close() == 0, "a submission reached a listener on this machine"
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    scores = _scores(results, a)
    visible_all = "\n".join(t.get("output", "") for t in results["tests"])
    for q in a.questions:
        expected = 0.0 if q.id in zeroed(attack) else q.points
        assert scores[q.id] == pytest.approx(expected, abs=1e-3), f"{q.id}: {scores[q.id]} (expected {expected}); read: {stolen(visible_all)}"
    visible = "\n".join(t.get("output", "") for t in results["tests"] if t.get("visibility") == "visible")
    assert_no_secrets(a, visible)
    no_leftovers(tag)


# ---------------------------------------------------------------- the Gradescope simulator (plain mode, 768 MB)

SIMULATED = [p for p in ATTACKS if header(p, "gradescope") == "yes"]


@pytest.mark.skipif(not running_as_root(), reason="the Gradescope simulator needs root (a private mount namespace)")
@pytest.mark.parametrize("attack", SIMULATED, ids=lambda p: p.stem)
def test_attack_through_gradescope_simulator(zips, attack, tmp_path):
    from autograder.gradescope import simulate

    a = assignment_of(attack)
    tag = f"gradescope-{attack.stem}"
    listener = Listener()
    upload = write_submission(attack_files(attack, tag, listener.port), tmp_path / "upload")
    run = simulate(a, upload, zips(a))
    assert listener.close() == 0, "a submission reached a listener on this machine"
    assert run.score is not None, run.output[-3000:]
    scores = _scores(run.results, a)
    printed = "\n".join(t.get("output", "") for t in run.results["tests"]) + run.output
    for q in a.questions:
        expected = 0.0 if q.id in zeroed(attack) else q.points
        assert scores[q.id] == pytest.approx(expected, abs=1e-3), f"{q.id}: {scores[q.id]} (expected {expected}); read: {stolen(printed)}\n{run.output[-2000:]}"
    visible = "\n".join(t.get("output", "") for t in run.results["tests"] if t.get("visibility") == "visible")
    assert_no_secrets(a, visible)
    no_leftovers(tag)


# ---------------------------------------------------------------- the chmod fallback as root, then an ordinary user

FALLBACK = ["read_secrets", "scipy_from_another_copy", "inplace_with_patched_checks"]
ORDINARY_USER = ["signal_the_grader", "table_lookup", "read_secrets", "scipy_from_another_copy"]
NOBODY = 65534


def _modes(paths: list[Path]) -> dict[str, tuple[int, int, int]]:
    return {str(p): (s.st_mode & 0o777, s.st_uid, s.st_gid) for p in paths if p.exists() for s in [p.stat()]}


def _no_fallback_grader_running(timeout: float = 120) -> None:
    """Wait until no grader on the machine holds protections (the journal undoes them then)."""
    from autograder.view import JOURNAL

    deadline = time.monotonic() + timeout
    while JOURNAL.protecting() and time.monotonic() < deadline:
        time.sleep(0.5)


def _grade_attacks(names: list[str], folder: Path, env: dict[str, str], user: int | None = None) -> dict[str, dict]:
    """hw1's solution, starter and the named attacks graded by one ``autograder grade`` run."""
    a = by_name("hw1")
    subs, out = folder / "subs", folder / "out"
    for name in names:
        write_submission(attack_files(Path(__file__).parent / "attacks" / f"{name}.py", f"modes-{user}"), subs / name)
    write_submission(solution_files(a), subs / "zz_honest_solution")
    write_submission(starter_files(a), subs / "zz_honest_starter")
    cmd = [sys.executable, "-m", "autograder", "grade", "hw1", str(subs), "--out", str(out), "--jobs", "2", "--quiet"]
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--", *cmd]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(out / "grades.csv", newline="") as f:
        rows = {r["submission"]: r for r in csv.DictReader(f)}
    for name in names:
        attack, feedback = Path(__file__).parent / "attacks" / f"{name}.py", (out / name / "feedback.md").read_text()
        for q in a.questions:
            expected = 0.0 if q.id in zeroed(attack) else q.points
            assert float(rows[name][q.id]) == expected, f"{name}: {q.id}: {rows[name][q.id]} (expected {expected}); read: {stolen(feedback)}"
        assert_no_secrets(a, feedback)
    assert float(rows["zz_honest_solution"]["score"]) == a.max_score and float(rows["zz_honest_starter"]["score"]) == 0
    return rows


@pytest.mark.skipif(not running_as_root() or not shutil.which("setpriv"), reason="needs root and setpriv (an ordinary user is simulated)")
def test_a_root_fallback_run_then_an_ordinary_user_grades():
    """Without namespaces or Landlock, as root, the chmod fallback closes the secrets and every
    mode it changed is back when grading ends; then an ordinary user (nobody) imports torch from
    the same checkout and grades without namespaces: a worker of its own uid cannot signal or
    read the grader, nor read a secret (Landlock), and the batch is intact."""
    from autograder.view import JOURNAL, library_copies, make_reachable

    watched = [ROOT / n for n in ("assignments", "solutions", "tests", "dist", ".git", ".tmp", ".venv")]
    watched += [Path(p) for lib in ("torch", "scipy") for p in library_copies(lib)]
    _no_fallback_grader_running()  # another test's fallback worker holds the same changes while it runs
    if not ROOT.stat().st_mode & 0o004:  # Python must list the checkout to import the engine from it
        pytest.skip(f"the checkout {ROOT} is not readable by other users (mode {ROOT.stat().st_mode & 0o777:o}): an ordinary user could not grade from it")
    # Python may sit under /root (pyenv) and the checkout under a 0700 folder (a clone in
    # `mktemp -d`): the test holds the traverse bits a root grader adds (journaled, undone when
    # released), so nobody's run never depends on another test's root worker holding them.
    reach = JOURNAL.hold()
    make_reachable([Path(sys.executable).resolve().parent, Path(sys.prefix), ROOT])
    before = _modes(watched)
    folder = ROOT / ".tmp" / f"modes-{os.getpid()}"
    folder.mkdir(mode=0o777, exist_ok=True)
    os.chmod(folder, 0o777)
    try:
        fallback = dict(mode_env("plain"), CONVLAB_NO_LANDLOCK="1")
        _grade_attacks(FALLBACK, folder / "root", fallback)
        _no_fallback_grader_running()
        assert _modes(watched) == before, "the fallback left modes changed"
        home = folder / "nobody"
        home.mkdir(mode=0o777)
        os.chmod(home, 0o777)
        env = dict(mode_env("plain"), HOME=str(home), TMPDIR=str(home))
        torch = subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", sys.executable, "-c", "import torch"], capture_output=True, text=True, env=env)
        assert torch.returncode == 0, torch.stderr[-2000:]
        rows = _grade_attacks(ORDINARY_USER, home, env, user=NOBODY)
        assert {r["status"] for r in rows.values()} <= {"graded", "import error"}, rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        JOURNAL.release(reach)
