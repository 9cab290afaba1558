"""The sandboxed worker and its proxy: what student code can and cannot do to the grader."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from autograder import wire
from autograder.proxy import (
    NotImplementedByStudent,
    StudentException,
    StudentProxy,
    StudentTimeout,
    WorkerDied,
)
from autograder.sandbox import WORKER_UID_BASE, WORKER_UID_COUNT, Limits, isolation, running_as_root

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
    from autograder.config import ROOT

    src = (
        "import os, socket\n"
        "def probe(paths):\n"
        "    seen = {p: sorted(os.listdir(p)) if os.path.isdir(p) else None for p in paths}\n"
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
    assert all(listing in (None, []) for listing in seen.values()), seen  # covered, or gone with /tmp
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
