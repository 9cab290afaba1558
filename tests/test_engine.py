"""The sandboxed worker and its proxy: what student code can and cannot do to the grader."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

import numpy as np
import pytest

from autograder import wire
from autograder.config import ROOT, Limits
from autograder.lifetime import WORKER_UID_BASE, WORKER_UID_COUNT, running_as_root
from autograder.proxy import (
    NotImplementedByStudent,
    StudentError,
    StudentException,
    StudentProxy,
    StudentTimeout,
    WorkerDied,
)
from autograder.view import isolation, landlock_version

FAST = Limits(call_timeout=2, import_timeout=10)


def proxy(source: str, limits: Limits = FAST, **kwargs) -> StudentProxy:
    return StudentProxy({"sub.py": source.encode()}, ["sub"], limits=limits, **kwargs)


def test_arrays_and_handles_round_trip():
    """Do arrays come back bit-exact, and do opaque results stay in the worker as handles?"""
    src = "import numpy as np\ndef f(x):\n    return x * 2, {'x': x}\ndef g(cache):\n    return cache['x'] + 1\n"
    with proxy(src, opaque={"f": [1]}) as st:
        x = np.random.default_rng(0).standard_normal((3, 4))
        out, cache = st.f(x)
        assert isinstance(cache, wire.Handle)
        np.testing.assert_array_equal(out, x * 2)
        np.testing.assert_array_equal(st.g(cache), x + 1)


def test_infinite_loop_times_out_and_is_not_rerun():
    """Does an infinite loop cost its own calls only, with a clear message, while others still run?"""
    src = "def spin():\n    while True:\n        pass\ndef ok():\n    return 7\n"
    with proxy(src) as st:
        started = time.monotonic()
        with pytest.raises(StudentTimeout, match="timed out after 2 s"):
            st.spin()
        with pytest.raises(StudentTimeout, match="not run again"):
            st.spin()
        assert st.ok() == 7  # a fresh worker serves the next call
        assert time.monotonic() - started < 8


def test_memory_bomb_is_refused():
    """Does allocating tens of GB fail with 'exceeded memory' rather than take the machine down?"""
    src = "import numpy as np\ndef bomb():\n    return np.ones((40, 1024, 1024, 1024))\ndef ok():\n    return 1\n"
    with proxy(src) as st:
        with pytest.raises(Exception, match="exceeded memory"):
            st.bomb()
        assert st.ok() == 1


def test_os_exit_in_function_restarts_worker():
    """Does os._exit inside a function fail that call only?"""
    src = "import os\ndef die():\n    os._exit(0)\ndef ok():\n    return 2\n"
    with proxy(src) as st:
        with pytest.raises(WorkerDied, match="exited with status 0"):
            st.die()
        assert st.ok() == 2


def test_sys_exit_is_an_exception_not_an_exit():
    src = "import sys\ndef quit_():\n    sys.exit(0)\n"
    with proxy(src) as st:
        with pytest.raises(StudentException, match="SystemExit"):
            st.quit_()


def test_syntax_error_reports_student_file_and_line():
    """Is a syntax error shown with the student's file name and line, not a grader path?"""
    with proxy("x = 1\ndef f(:\n    pass\n") as st:
        assert st.import_error and "sub.py" in st.import_error and "line 2" in st.import_error
        assert "convlab-worker" not in st.import_error


def test_student_traceback_shows_their_frames_only():
    src = "def helper(a):\n    return a[10]\ndef f():\n    return helper([1])\n"
    with proxy(src) as st:
        with pytest.raises(StudentException) as info:
            st.f()
    message = str(info.value)
    assert 'File "sub.py", line 2, in helper' in message and "IndexError" in message
    assert "worker.py" not in message and "autograder" not in message


def test_not_implemented_is_named():
    with proxy("def f():\n    raise NotImplementedError\n") as st:
        with pytest.raises(NotImplementedByStudent, match="not implemented yet"):
            st.f()


def test_input_mutation_is_detected():
    with proxy("def f(x):\n    x[0] = 99.0\n    return x\n") as st:
        with pytest.raises(Exception, match="modified its input"):
            st.f(np.zeros(3))


def test_input_mutation_verdict_is_the_graders():
    """Patching NumPy's comparisons in the worker does not hide an in-place change: the worker
    sends the arguments back and the grader compares bytes (NaN included, nested dicts too)."""
    src = (
        "import numpy as np\n"
        "np.array_equal = np.allclose = np.testing.assert_array_equal = lambda *a, **k: True\n"
        "def f(x, params):\n    params['w'][0] += 1.0\n    return x.sum()\n"
        "def g(x, params):\n    return float(np.nansum(x))\n"
    )
    x = np.array([1.0, np.nan])
    with proxy(src) as st:
        with pytest.raises(Exception, match=r"modified its input argument\(s\) 1\['w'\] in place"):
            st.f(x, {"w": np.zeros(2)})
        assert st.g(x, {"w": np.zeros(2)}) == 1.0  # NaN in, NaN back: unchanged


def test_a_half_written_reply_ends_the_worker_in_time(monkeypatch):
    """Half a reply frame, then silence: the call ends at its deadline plus the reply's grace."""
    from autograder import proxy as proxy_module

    monkeypatch.setattr(proxy_module, "REPLY_GRACE", 0.5)
    src = "import os, struct, time, __main__\ndef half():\n    os.write(__main__.WRITE_FD, struct.pack('>I', 1000) + b'{\"se')\n    time.sleep(60)\ndef ok():\n    return 3\n"
    with proxy(src) as st:
        started = time.monotonic()
        with pytest.raises(StudentTimeout, match="stopped responding mid-reply"):
            st.half()
        assert time.monotonic() - started < FAST.call_timeout + 0.5 + 3
        assert st.ok() == 3


def test_a_worker_that_stops_reading_ends_in_time():
    """A worker that no longer reads its requests cannot block the grader's write of a large one."""
    src = "import sys, time\ndef deafen():\n    sys.modules['wire'].receive = lambda *a, **k: time.sleep(60)\n    return 1\ndef big(x):\n    return 2\n"
    with proxy(src) as st:
        assert st.deafen() == 1
        started = time.monotonic()
        with pytest.raises(StudentTimeout, match="stopped reading its request"):
            st.big(np.zeros(1 << 20))
        assert time.monotonic() - started < FAST.call_timeout + 3


def test_output_flood_is_truncated():
    """Is printing 50 MB truncated while grading goes on?"""
    src = "import sys\ndef noisy():\n    for _ in range(50):\n        sys.stdout.write('x' * (1 << 20))\n    return 3\n"
    with proxy(src) as st:
        assert st.noisy() == 3
    assert len(st.output) < 80_000 and "of output dropped" in st.output


def test_forbidden_import_is_refused():
    with proxy("import torch\n", forbidden_imports=["torch"]) as st:
        assert "importing torch is not allowed" in st.import_error


@pytest.mark.skipif(not running_as_root(), reason="the privilege drop happens only when grading as root")
def test_worker_runs_under_a_pool_uid_in_its_own_directory():
    src = "import os\ndef who():\n    return os.getuid(), sorted(os.listdir('.')), os.getppid()\n"
    with proxy(src) as st:
        uid, listing, ppid = st.who()
    assert WORKER_UID_BASE <= uid < WORKER_UID_BASE + WORKER_UID_COUNT and listing == ["sub.py"]
    assert os.getuid() == 0
    if isolation() == "namespaces":
        assert ppid == 0  # pid 1 of its own PID namespace: the grader is invisible


@pytest.mark.skipif(isolation() != "namespaces", reason="namespaces are unavailable on this machine")
def test_worker_sees_no_grader_files_and_no_network():
    """Are the tests, solutions and other temp dirs hidden, and is the network unreachable?"""

    src = (
        "import os, socket\n"
        "def listing(p):\n"
        "    try:\n"
        "        return sorted(os.listdir(p))\n"
        "    except OSError:\n"
        "        return None\n"
        "def probe(paths):\n"
        "    seen = {p: listing(p) for p in paths}\n"
        "    try:\n"
        "        socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "        net = 'connected'\n"
        "    except OSError as exc:\n"
        "        net = type(exc).__name__\n"
        "    return seen, net\n"
    )
    secret = [str(ROOT / "assignments"), str(ROOT / "solutions"), str(ROOT / "tests")]
    with proxy(src) as st:
        seen, net = st.probe(secret)
    assert all(listing in (None, []) for listing in seen.values()), seen  # covered, refused, or gone with /tmp
    assert net != "connected"


def test_decoder_rejects_object_dtype_and_lying_sizes():
    """Is the decoder the trust boundary: no object arrays, byte counts must match shapes?"""
    with pytest.raises(wire.WireError, match="not allowed"):
        wire.decode({"t": "nd", "i": 0, "dtype": "|O", "shape": [1]}, [b"\0" * 8])
    with pytest.raises(wire.WireError, match="byte count"):
        wire.decode({"t": "nd", "i": 0, "dtype": "<f8", "shape": [2]}, [b"\0" * 8])
    with pytest.raises(wire.WireError, match="unknown value tag"):
        wire.decode({"t": "pickle", "v": "gASVAAAA"}, [])


def test_object_array_returned_becomes_opaque():
    src = "import numpy as np\ndef f():\n    return np.array([1, 'a'], dtype=object)\n"
    with proxy(src) as st:
        assert isinstance(st.f(), wire.Opaque)


def test_one_broken_file_costs_only_its_functions():
    """With several submitted files, a file that does not import costs only its own functions."""
    files = {"good.py": b"def ok():\n    return 5\n", "bad.py": b"def broken(:\n"}
    with StudentProxy(files, ["good", "bad"], limits=FAST, missing_files=["extra.py"]) as st:
        assert st.import_error is None and "bad.py" in st.module_errors["bad"]
        assert st.ok() == 5
        with pytest.raises(Exception, match=r"no function broken: extra.py was not submitted; could not import bad.py"):
            st.broken()


def test_adapter_functions_are_found_first():
    files = {"sub.py": b"def run():\n    return 'student'\n", "adapter.py": b"import sub\ndef run():\n    return 'adapter:' + sub.run()\n"}
    with StudentProxy(files, ["sub"], limits=FAST, adapters=["adapter"]) as st:
        assert st.run() == "adapter:student"


def test_per_case_deadline_overrides_the_default():
    """A check may allow a longer call (a training run) without raising everyone's limit."""
    with proxy("import time\ndef slow():\n    time.sleep(3)\n    return 1\n") as st:
        with st.deadline(10):
            assert st.slow() == 1
        with pytest.raises(StudentTimeout, match="after 2 s"):
            st.slow()


# ---------------------------------------------------------------- the seccomp filter, in both modes

MODES = ["namespaces", "plain", "fallback"]


@pytest.fixture(params=MODES)
def mode(request, monkeypatch):
    """Run a test with namespaces (where this machine has them), without them (as on Gradescope,
    Landlock where the kernel has it), and without either (the fallback of older kernels)."""
    from autograder import sandbox

    if request.param == "namespaces" and isolation() != "namespaces":
        pytest.skip("namespaces are unavailable on this machine")
    if request.param == "plain" and not landlock_version():
        pytest.skip("Landlock is unavailable on this machine")
    monkeypatch.setattr(sandbox, "isolation", lambda: "namespaces" if request.param == "namespaces" else "plain")
    if request.param == "fallback":
        monkeypatch.setattr(sandbox, "landlock_version", lambda: 0)
    return request.param


def test_worker_cannot_start_processes_or_open_sockets(mode):
    """No process (fork, exec, subprocess, ctypes clone) and no socket, in either mode; threads
    still work, and the student reads a clear message."""
    src = (
        "import ctypes, os, socket, subprocess, threading\n"
        "def spawn():\n    subprocess.run(['true'])\n"
        "def system():\n    return os.system('true')\n"
        "def raw():\n    libc = ctypes.CDLL(None, use_errno=True)\n    return [libc.fork(), libc.syscall(56, 17, 0, 0, 0, 0), ctypes.get_errno()]\n"
        "def connect():\n    socket.socket(socket.AF_INET, socket.SOCK_STREAM)\n"
        "def unix():\n    socket.socket(socket.AF_UNIX)\n"
        "def threads():\n    out = []\n    t = threading.Thread(target=lambda: out.append(7))\n    t.start(); t.join()\n    return out[0]\n"
        "def signal_others():\n    try:\n        os.kill(os.getppid(), 0)\n        return 'signalled'\n    except OSError as exc:\n        return exc.errno\n"
    )
    with proxy(src) as st:
        for fn in ("spawn", "system"):
            with pytest.raises(StudentException, match="starting processes is not allowed in the grader"):
                getattr(st, fn)()
        assert st.raw() == [-1, -1, 1]  # EPERM from the filter, not a child
        for fn in ("connect", "unix"):
            with pytest.raises(StudentException, match="network access is not allowed in the grader"):
                getattr(st, fn)()
        assert st.threads() == 7
        assert st.signal_others() in (1, 3)  # EPERM (or ESRCH: no parent in a PID namespace)


def test_seccomp_rules_are_described():
    from autograder import seccomp_filter

    rules = "\n".join(seccomp_filter.describe())
    for call in ("execve", "fork", "socket", "ptrace", "unshare", "mount", "keyctl", "bpf", "perf_event_open", "process_vm_readv"):
        assert call in rules


@pytest.mark.skipif(not running_as_root(), reason="uids from the pool are used only when grading as root")
def test_concurrent_workers_get_distinct_uids_and_private_folders(mode):
    """Workers alive at the same time run as different users: none can read another's folder."""
    src = "import os\ndef who():\n    return os.getuid(), os.getcwd()\ndef peek(path):\n    try:\n        return sorted(os.listdir(path))\n    except OSError as exc:\n        return exc.errno\n"
    with proxy(src) as one, proxy(src) as two:
        (uid1, dir1), (uid2, _) = one.who(), two.who()
        assert uid1 != uid2
        if mode == "plain":
            assert two.peek(dir1) == 13  # EACCES
            assert one.peek(os.path.dirname(dir1)) == 13  # the shared parent cannot be listed


@pytest.mark.skipif(not running_as_root(), reason="the uid sweep needs root")
def test_processes_that_escape_are_killed_with_the_uid(monkeypatch):
    """Defense in depth: with the seccomp filter switched off, a detached child (setsid) still dies
    when its worker ends, because every process of the worker's uid is killed."""
    import subprocess

    from autograder import sandbox

    monkeypatch.setattr(sandbox, "isolation", lambda: "plain")
    monkeypatch.setattr(sandbox, "landlock_version", lambda: 0)  # Landlock would refuse exec too
    monkeypatch.setenv("CONVLAB_NO_SECCOMP", "1")
    marker = f"convlab-escape-{os.getpid()}"
    src = (  # raw libc calls: the audit hook that names the rule is bypassed too
        "import ctypes\n"
        "def escape():\n"
        "    libc = ctypes.CDLL(None)\n"
        "    if libc.fork() == 0:\n"
        "        libc.setsid()\n"
        f"        argv = (ctypes.c_char_p * 5)(b'bash', b'-c', b'exec -a {marker} sleep 120', None, None)\n"
        "        libc.execv(b'/bin/bash', argv)\n"
        "        libc._exit(0)\n"
        "    return 1\n"
    )
    with proxy(src) as st:
        assert st.escape() == 1
        time.sleep(0.5)
        assert subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0  # it escaped the group
    time.sleep(0.2)
    assert subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 1, "an escaped process outlived its worker"


@pytest.mark.skipif(not running_as_root(), reason="libraries are hidden from workers only when grading as root")
def test_a_forbidden_library_cannot_be_loaded_even_by_path(mode):
    """A NumPy-only worker cannot reach torch: not by import, not by deleting the ban in
    sys.modules, not by loading its files by path."""
    src = (
        "import importlib.util, os, sys\n"
        "import numpy\n"
        "def sneak():\n"
        "    sys.modules.pop('torch', None)\n"
        "    found = []\n"
        "    for base in sys.path:\n"
        "        init = os.path.join(base, 'torch', '__init__.py')\n"
        "        try:\n"
        "            open(init).close()\n"
        "            found.append(init)\n"
        "        except OSError:\n"
        "            pass\n"
        "    try:\n"
        "        from torch.nn import functional\n"
        "        return 'imported', found\n"
        "    except (ImportError, OSError) as exc:\n"
        "        return type(exc).__name__, found\n"
    )
    with proxy(src, forbidden_imports=["torch"]) as st:
        outcome, readable = st.sneak()
    assert outcome in ("ModuleNotFoundError", "ImportError", "PermissionError") and readable == []


@pytest.fixture
def planted_package():
    """A small package planted in the base interpreter's site-packages, outside the venv (as a
    second copy of a forbidden library would lie there): its name, and the folder holding it."""
    folder = Path(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["purelib"])
    if not os.access(folder, os.W_OK):
        pytest.skip(f"{folder} is not writable here")
    name = f"convlab_planted_{os.getpid()}"
    (folder / name).mkdir()
    (folder / name / "__init__.py").write_text("ORACLE = 42\n")
    os.chmod(folder / name, 0o755)
    yield name, str(folder)
    shutil.rmtree(folder / name, ignore_errors=True)


def test_a_forbidden_library_is_unreachable_wherever_it_lies(mode, planted_package):
    """A copy of a forbidden library outside the venv (the base interpreter's site-packages):
    deleting the ban and putting its folder on sys.path does not load it, nor does reading it."""
    if mode == "fallback" and not running_as_root():
        pytest.skip("an ordinary user without namespaces or Landlock has no file-system protection (README)")
    name, folder = planted_package
    src = (
        "import os, sys\n"
        "def sneak(name, folder):\n"
        "    sys.modules.pop(name, None)\n"
        "    sys.path.append(folder)\n"
        "    try:\n"
        "        return getattr(__import__(name), 'ORACLE', 'an empty folder')\n"
        "    except Exception as exc:\n"
        "        return type(exc).__name__\n"
    )
    with proxy(src, forbidden_imports=[name]) as st:
        outcome = st.sneak(name, folder)
    assert outcome in ("ModuleNotFoundError", "ImportError", "PermissionError", "an empty folder"), f"{mode}: the planted copy in {folder} was imported"


def test_memory_budget_follows_the_container():
    """The worker's budget is the container's limit minus what is used, never above memory_mb."""
    from autograder.resources import memory_budget_mb

    limits = Limits(memory_mb=1536)
    mb = 1 << 20
    assert memory_budget_mb(limits, container=None) == 1536
    assert memory_budget_mb(limits, container=(768 * mb, 400 * mb)) == 768 - 400 - 48
    assert memory_budget_mb(limits, container=(8192 * mb, 100 * mb)) == 1536
    assert memory_budget_mb(limits, container=(768 * mb, 760 * mb)) == 64


def test_memory_watchdog_kills_a_worker_past_its_budget(monkeypatch):
    """Resident memory (not address space) past the budget: the worker dies with a clear message."""
    from autograder import sandbox

    monkeypatch.setattr(sandbox, "memory_budget_mb", lambda limits, container=None: 200)
    src = "import numpy as np\nhoard = []\ndef grow():\n    for _ in range(20):\n        hoard.append(np.ones((25, 1024, 128)))\n    return len(hoard)\ndef ok():\n    return 1\n"
    with proxy(src) as st:
        with pytest.raises(WorkerDied, match=r"exceeded memory \(limit 200 MB\)"):
            st.grow()
        assert st.ok() == 1


def test_worker_is_the_first_choice_of_the_oom_killer():
    src = "def score():\n    return int(open('/proc/self/oom_score_adj').read())\n"
    with proxy(src) as st:
        assert st.score() == 1000


def test_deterministic_calls_run_once_per_identical_files():
    """``memoize``: the same files and arguments give the evidence computed the first time."""
    src = "import time\ndef stamp(x):\n    return time.time_ns() + x\n"
    with proxy(src, memoize=["stamp"]) as st:
        first = st.stamp(1)
        assert st.stamp(1) == first and st.stamp(2) != first + 1
    with proxy(src, memoize=["stamp"]) as again:
        assert again.stamp(1) == first  # another submission, byte-identical: the same evidence
    with proxy(src + "# another submission\n", memoize=["stamp"]) as other:
        assert other.stamp(1) != first


def test_no_ipc_objects_and_no_signals_through_file_ownership(mode):
    """System V shared memory (it would outlive the worker) and F_SETOWN/F_SETSIG (the kernel
    would signal the grader on I/O) are refused in every mode."""
    src = (
        "import ctypes, fcntl, os\n"
        "def shm():\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    return libc.shmget(0, 1 << 20, 0o1600), ctypes.get_errno()\n"
        "def setown():\n"
        "    r, w = os.pipe()\n"
        "    out = []\n"
        "    for cmd, arg in ((fcntl.F_SETOWN, os.getppid() or 1), (10, 9)):\n"
        "        try:\n"
        "            fcntl.fcntl(r, cmd, arg)\n"
        "            out.append(0)\n"
        "        except OSError as exc:\n"
        "            out.append(exc.errno)\n"
        "    return out\n"
    )
    with proxy(src) as st:
        assert st.shm() == (-1, 1)  # EPERM
        assert st.setown() == [1, 1]


def test_the_disk_budget_ends_a_worker_that_fills_its_folder(mode):
    """Many small files: past ``disk_mb`` (or the file count) the worker is ended (without
    namespaces) or its writes fail (with them: a sized tmpfs); the next call runs normally."""
    src = (
        "import os\n"
        "def fill():\n"
        "    for i in range(100000):\n"
        "        with open(f'f{i}', 'wb') as f:\n"
        "            f.write(b'x' * 8192)\n"
        "    return 'filled'\n"
        "def ok():\n"
        "    return 1\n"
    )
    limits = Limits(call_timeout=10, import_timeout=10, disk_mb=4)
    with proxy(src, limits) as st:
        with pytest.raises((WorkerDied, StudentException), match="disk budget|No space left|Disk quota"):
            st.fill()
        assert st.ok() == 1


def test_a_grader_os_error_fails_only_that_case(monkeypatch):
    """A full disk while the grader starts a worker fails that call with a clear message; the
    next call starts a worker normally."""
    from autograder import proxy as proxy_module

    real, calls = proxy_module.WorkerProcess, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(proxy_module, "WorkerProcess", flaky)
    with proxy("import os\ndef die():\n    os._exit(0)\ndef ok():\n    return 4\n") as st:
        with pytest.raises(WorkerDied):
            st.die()
        with pytest.raises(StudentError, match="could not start a worker.*No space left.*no fault of the submission"):
            st.ok()
        assert st.ok() == 4


GRADER = """
import sys, time
sys.path.insert(0, {root!r})
from autograder.proxy import StudentProxy
from autograder.lifetime import descendants
st = StudentProxy({{"sub.py": b"import time\\ndef wait():\\n    time.sleep(60)\\n"}}, ["sub"]).__enter__()
print(" ".join(map(str, descendants(st._worker.process.pid))), flush=True)
st.wait()
"""


def test_nothing_outlives_a_killed_grader(mode):
    """SIGKILL the grader mid-call: within 2 s no process of its worker is left (the parent-death
    signal survives the uid change; with namespaces the PID namespace dies with it)."""
    import signal
    import subprocess

    from autograder.config import ROOT

    env = dict(os.environ, CONVLAB_NO_NAMESPACES="1" if mode != "namespaces" else "")
    if mode == "fallback":
        env["CONVLAB_NO_LANDLOCK"] = "1"
    env = {k: v for k, v in env.items() if v != ""}
    grader = subprocess.Popen([sys.executable, "-c", GRADER.format(root=str(ROOT))], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True)
    pids = [int(p) for p in grader.stdout.readline().split()]
    assert pids, "the grader did not start its worker"
    time.sleep(0.3)
    grader.send_signal(signal.SIGKILL)
    grader.wait()
    time.sleep(2)
    alive = [p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in Path(f"/proc/{p}/stat").read_text().split(")")[1][:3]]
    assert alive == [], f"{mode}: processes of the worker outlived the grader: {alive}"


# ---------------------------------------------------------------- routing by policy (several files)

TWO_GROUPS = """
name = "{name}"
title = "t"
files = ["a.py", "b.py"]
[[workers]]
files = ["a.py"]
functions = ["f"]
[[workers]]
files = ["b.py"]
functions = [{b_functions}]
[[questions]]
id = "q1"
title = "f"
points = 1
[[questions]]
id = "q2"
title = "g"
points = 1
"""


def test_the_config_refuses_an_ambiguous_or_missing_owner(tmp_path):
    from autograder.config import ConfigError, load_assignment

    def load(b_functions: str):
        folder = tmp_path / f"hw9_{len(b_functions)}"
        folder.mkdir()
        (folder / "assignment.toml").write_text(TWO_GROUPS.format(name=folder.name, b_functions=b_functions))
        return load_assignment(folder)

    assert load('"g"').owners == {"f": 0, "g": 1}
    with pytest.raises(ConfigError, match="two \\[\\[workers\\]\\] groups"):
        load('"g", "f"')
    with pytest.raises(ConfigError, match="no \\[\\[workers\\]\\] group owns \\['g'\\]"):
        load("")


def test_a_call_runs_only_in_its_owners_worker():
    """Routing never follows what the submission defines: a function owned by a.py but defined
    in b.py fails with a message naming a.py (and b.py), and b.py's worker is never asked."""
    from autograder.proxy import FunctionNotFound, SubmissionProxy, WorkerGroupProxy

    a = StudentProxy({"a.py": b"def h():\n    return 1\n"}, ["a"], limits=FAST)
    b = StudentProxy({"b.py": b"def f():\n    return 'from b'\n"}, ["b"], limits=FAST)
    sub = SubmissionProxy([WorkerGroupProxy(a, ("a.py",), {"h"}), WorkerGroupProxy(b, ("b.py",), {"f"})], {"f": 0, "h": 0})
    with sub:
        assert sub.route("f").proxy is a and sub.h() == 1
        with pytest.raises(FunctionNotFound, match="f must be defined in a.py, but it is in b.py"):
            sub.f()
        with pytest.raises(StudentError, match="not a function of this assignment"):
            sub.route("anything_else")
    assert b._worker is None  # never started


# ---------------------------------------------------------------- the journal of mode changes (fallback, as root)


def test_the_mode_journal_undoes_each_kind_of_change_when_no_worker_needs_it(tmp_path):
    """A fallback grader's protections are undone when it ends even while another grader runs
    (that one needs only the traverse bits, undone when it ends too); a grader killed before it
    could undo anything is undone by the next one to start."""
    from autograder.view import ModeJournal

    locks, secret, ancestor = tmp_path / "locks", tmp_path / "secret", tmp_path / "ancestor"
    for folder in (locks, secret, ancestor):
        folder.mkdir(mode=0o755)
        os.chmod(folder, 0o755)
    fallback, other = ModeJournal(locks), ModeJournal(locks)
    token = fallback.hold(protects=True)
    fallback.chmod(secret, 0o750)
    fallback.chmod(ancestor, 0o751, kind="reach")
    running = other.hold()
    fallback.release(token)
    assert (secret.stat().st_mode & 0o777, ancestor.stat().st_mode & 0o777) == (0o755, 0o751)
    other.release(running)
    assert ancestor.stat().st_mode & 0o777 == 0o755
    killed = (
        "import os, sys; from pathlib import Path; from autograder.view import ModeJournal\n"
        f"j = ModeJournal(Path({str(locks)!r})); j.hold(protects=True); j.chmod(Path({str(secret)!r}), 0o700)\n"
        "os.kill(os.getpid(), 9)\n"
    )
    subprocess.run([sys.executable, "-c", killed], cwd=ROOT, check=False)
    assert secret.stat().st_mode & 0o777 == 0o700
    other.release(other.hold())  # the next grader to start (and end) undoes the dead one's change
    assert secret.stat().st_mode & 0o777 == 0o755
