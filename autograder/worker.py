"""The student worker: the only process that ever runs student code.

Started by ``autograder.sandbox`` as ``python -I worker.py READ_FD WRITE_FD [--view V] [--jail J]`` in a directory
that holds only the submission, with resource limits set and (as root) privileges dropped. It
imports the submission, then serves requests from the grader: call a function with plain
arguments, keep opaque results (a forward's ``cache``) as handles, send plain results back.

Everything here is untrusted once student code has run: the grader validates every byte it
receives (``wire.decode``) and never unpickles anything. This file needs only the standard
library and NumPy.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import json  # noqa: E402

import landlock  # noqa: E402
import wire  # noqa: E402

try:  # loaded before the jail, while every file is readable; installed after it
    import seccomp_filter  # noqa: E402
except ImportError:  # pragma: no cover - reported when the worker locks itself down
    seccomp_filter = None

MS_NOSUID, MS_NODEV, MS_BIND = 2, 4, 4096
PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG = 38, 1


def enter_jail(config: dict) -> None:
    """Inside fresh mount/net/pid/ipc namespaces (``unshare``): hide the grader's files, then drop root.

    Every path in ``config["hide"]`` (tests, solutions, results, other submissions' temp dirs)
    is covered with an empty tmpfs; the worker's files are copied into a tmpfs of ``disk_mb`` at
    ``config["home"]`` (its only writable place, sized: it cannot fill the grader's disk). As
    real root the process then becomes its pool uid; in a user namespace (grading as an ordinary
    user) it stays the mapped user. Nothing here runs student code.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
        if libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags, data.encode() if data else None) != 0:
            raise OSError(ctypes.get_errno(), f"mount {target}: {os.strerror(ctypes.get_errno())}")

    own = os.open(os.getcwd(), os.O_RDONLY | os.O_DIRECTORY)
    # what the worker needs (its venv, the engine) may lie under a hidden path: keep a handle
    restore = [(path, os.open(path, os.O_RDONLY | os.O_DIRECTORY)) for path in config.get("restore", [])]
    for path in sorted(config["hide"], key=len):
        if os.path.isdir(path) and not os.path.islink(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=755")
    for path, fd in restore:
        os.makedirs(path, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND, None)
        os.close(fd)
    home = config["home"]
    os.makedirs(home, exist_ok=True)
    mount("tmpfs", home, "tmpfs", MS_NOSUID | MS_NODEV, f"size={config['disk_mb']}m,nr_inodes={config['max_files']},mode=700")
    owner = (config["uid"], config["gid"]) if config.get("drop") else None
    _copy_files(own, home, owner)
    os.chdir(home)
    if config.get("drop"):
        import resource

        parent = os.getppid()
        resource.setrlimit(resource.RLIMIT_NPROC, (config["nproc"], config["nproc"]))
        os.setgroups(config.get("groups", []))
        os.setgid(config["gid"])
        os.setuid(config["uid"])
        libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # the uid change cleared unshare's --kill-child
        if os.getppid() != parent:
            os._exit(1)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def _copy_files(source_fd: int, target: str, owner: tuple[int, int] | None) -> None:
    """The submission's files (a flat folder the grader wrote) into the worker's tmpfs."""
    for name in os.listdir(source_fd):
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=source_fd)
        with os.fdopen(fd, "rb") as src, open(os.path.join(target, name), "wb") as dst:
            dst.write(src.read())
    for path in [target, *(os.path.join(target, n) for n in os.listdir(target))]:
        if owner:
            os.chown(path, *owner)
    os.close(source_fd)


PROCESS_EVENTS = {"os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn", "subprocess.Popen", "pty.spawn"}
NO_PROCESSES = "starting processes is not allowed in the grader"
NO_NETWORK = "network access is not allowed in the grader"


def _refuse(event: str, args: tuple) -> None:
    """An audit hook (it cannot be removed): the clear message for what the seccomp filter denies."""
    if event in PROCESS_EVENTS:
        raise PermissionError(NO_PROCESSES)
    if event == "socket.__new__":
        raise PermissionError(NO_NETWORK)


def lock_down(view: dict | None) -> None:
    """Before any student code: the Landlock view (``view``: its ABI version and the forbidden
    libraries; the allow-list of ``landlock``), the seccomp filter (no processes, sockets, ptrace,
    namespaces) and the audit hook that names what it denies. Without them, no student code runs."""
    if view:
        landlock.restrict(landlock.allow_list(view["forbidden"]), [os.getcwd()], view["version"])
    if os.environ.get("CONVLAB_NO_SECCOMP"):
        print("ConvLab warning: the seccomp filter is disabled (CONVLAB_NO_SECCOMP)", file=sys.stderr)
    elif seccomp_filter is None:
        raise ImportError("the engine's seccomp_filter module could not be imported")
    else:
        seccomp_filter.install()
    sys.addaudithook(_refuse)


OPTIONS = {k: json.loads(v) for k, v in zip(sys.argv[3::2], sys.argv[4::2], strict=False)}  # --jail, --view
if "--jail" in OPTIONS:
    enter_jail(OPTIONS["--jail"])
try:
    lock_down(OPTIONS.get("--view"))
    LOCK_ERROR = None
except Exception as exc:  # noqa: BLE001 - reported to the grader instead of running student code
    LOCK_ERROR = f"the grader could not lock the worker down ({type(exc).__name__}: {exc})"
sys.path.pop(0)
READ_FD, WRITE_FD = int(sys.argv[1]), int(sys.argv[2])
sys.argv = sys.argv[:1]  # the jail's configuration is none of the submission's business
del OPTIONS
SANDBOX = os.getcwd()
sys.path.insert(0, SANDBOX)


def _forbid(names: list[str]) -> None:
    """Make forbidden modules look uninstalled (a course policy, not a security boundary).

    ``sys.modules[name] = None`` makes ``import name`` fail and ``importlib.util.find_spec``
    return None, so libraries that probe for optional modules (torch probes tensorflow) still work.
    """
    for name in names:
        sys.modules[name] = None


def _student_traceback(exc: BaseException) -> str:
    """The traceback restricted to frames in the submission's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(SANDBOX)]
    for f in frames:
        f.filename = os.path.relpath(f.filename, SANDBOX)
    lines = ["Traceback (most recent call last):\n"] if frames else []
    lines += traceback.format_list(frames)
    lines += traceback.format_exception_only(type(exc), exc)
    return "".join(lines).replace(SANDBOX + os.sep, "")[-8000:]


def _error(exc: BaseException) -> dict:
    name = type(exc).__name__
    if isinstance(exc, SystemExit):
        message = f"called sys.exit({exc.code!r})"
    elif isinstance(exc, MemoryError):
        message = "exceeded memory (MemoryError)"
    elif isinstance(exc, RecursionError):
        message = "maximum recursion depth exceeded"
    elif isinstance(exc, ModuleNotFoundError) and "None in sys.modules" in str(exc):
        message = f"importing {exc.name} is not allowed in this assignment"
    else:
        try:
            message = str(exc)[:2000]
        except BaseException:  # noqa: BLE001 - a student exception whose __str__ fails
            message = "<unprintable>"
    trace = _student_traceback(exc)
    if isinstance(exc, ModuleNotFoundError) and "None in sys.modules" in str(exc):
        trace = trace.replace(str(exc), message)
    bases = [c.__name__ for c in type(exc).__mro__][:16]  # so the grader can test "is a ValueError"
    return {"status": "exception", "etype": name, "bases": bases, "message": message, "traceback": trace}


def _resolve(value, handles: dict):
    """Replace the handles inside a decoded argument with the objects they stand for."""
    if isinstance(value, wire.Handle):
        if value.id not in handles:
            raise LookupError(f"{value!r} no longer exists (the worker was restarted)")
        return handles[value.id]
    if isinstance(value, (list, tuple)):
        return type(value)(_resolve(v, handles) for v in value)
    if isinstance(value, dict):
        return {k: _resolve(v, handles) for k, v in value.items()}
    return value


def serve(read_fd: int, write_fd: int) -> None:
    modules: dict[str, object] = {}
    handles: dict[int, object] = {}
    next_handle = 0
    while True:
        try:
            header, blobs = wire.receive(read_fd)
        except EOFError:
            return
        op = header.get("op")
        reply: dict = {"status": "ok"}
        out_blobs: list[bytes] = []
        if op == "import" and LOCK_ERROR:
            reply = {"status": "refused", "message": LOCK_ERROR}
        elif op == "import":
            _forbid(header.get("forbidden", []))
            errors = {}
            # adapters (trusted helpers shipped with the assignment) are imported last, looked up first
            for name in header["modules"] + header.get("adapters", []):
                try:
                    module = importlib.import_module(name)
                except BaseException as exc:  # noqa: BLE001 - SystemExit at import included
                    errors[name] = _error(exc)
                    continue
                modules[name] = module
                if name in header.get("adapters", []):
                    modules = {name: module, **modules}
            reply["errors"] = errors
        elif op == "call":
            fn = next((getattr(m, header["fn"]) for m in modules.values() if hasattr(m, header["fn"])), None)
            if not callable(fn):
                reply = {"status": "notfound"}
            else:
                try:
                    args, kwargs = wire.decode(header["args"], blobs), wire.decode(header["kwargs"], blobs)
                    inputs = wire.array_arguments(args, kwargs)  # the grader's arrays (not what handles stand for)
                    result = fn(*_resolve(args, handles), **_resolve(kwargs, handles))
                    opaque = header.get("opaque") or []
                    if opaque:
                        if not isinstance(result, tuple):
                            raise TypeError(f"{header['fn']} must return a tuple, got {type(result).__name__}")
                        result = list(result)
                        for i in opaque:
                            if i < len(result):
                                next_handle += 1
                                handles[next_handle] = result[i]
                                result[i] = wire.Handle(next_handle)
                        result = tuple(result)
                    reply["value"], out_blobs = wire.encode(result)
                    reply["inputs"], out_blobs = wire.encode(inputs, out_blobs)
                except BaseException as exc:  # noqa: BLE001 - student code may raise anything
                    reply, out_blobs = _error(exc), []
        elif op == "release":
            for i in header.get("ids", []):
                handles.pop(i, None)
        reply["seq"] = header.get("seq")
        wire.send(write_fd, reply, out_blobs)


if __name__ == "__main__":
    serve(READ_FD, WRITE_FD)
