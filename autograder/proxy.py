"""The grader's handle on a submission: calls into the sandboxed worker, with a deadline per call.

``StudentProxy`` looks like the student's module (``student.conv2d_forward(x, w, b)``), but every
call is a request to the worker process. Arrays and plain values cross (see ``wire``); results
the assignment marks opaque (a forward's ``cache``) stay in the worker and come back as handles.
A call that times out, crashes the worker or exhausts its memory raises a ``StudentError``
whose message is meant for the student; the next call starts a fresh worker.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import subprocess
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import wire
from .config import Limits, top_level_names
from .sandbox import WorkerProcess

# Evidence of deterministic calls (``memoize`` in assignment.toml, e.g. hw4's seeded training
# run), by the exact bytes of the worker's files and the call's arguments, for this process:
# identical code gives identical evidence, so it is computed once (a resubmitted models.py, or
# the many hw4 submissions that differ only in resnet.py).
_MEMO: dict[str, Any] = {}
_MEMO_LIMIT = 64
REPLY_GRACE = 5.0  # seconds a reply that has begun may take past the call's deadline


class StudentError(Exception):
    """Something went wrong in student code; ``str(error)`` is the message for the student."""

    etype: str | None = None  # set when student code raised an ordinary exception


class StudentException(StudentError):
    """Student code raised an exception (the message carries the student's traceback)."""

    def __init__(self, message: str, etype: str, bases: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.etype = etype
        self.bases = bases


class NotImplementedByStudent(StudentError):
    """The function still raises NotImplementedError."""


class StudentTimeout(StudentError):
    """A call ran past its time limit."""


class WorkerDied(StudentError):
    """The worker process ended during a call (os._exit, a signal, a resource limit)."""


class FunctionNotFound(StudentError):
    """The worker's files do not define the function."""


class GraderError(StudentError):
    """The grader itself failed (a full disk while starting a worker): this case only."""


class SubmissionBroken(StudentError):
    """The submission could not be imported at all (syntax error, import error, exit at import)."""


class StudentProxy:
    """Calls the submission's functions in a sandboxed worker; one worker per submission.

    Args:
        files: the submission's files, name -> bytes (written into the worker's own directory)
        modules: the module names to import, in order, from those files
        opaque: function name -> indices of returned tuple items to keep in the worker
        limits: resource limits of the worker
        forbidden_imports: top-level modules the submission may not import
        hide: paths the worker must not see (default: ``sandbox.default_hidden_paths()``)
        missing_files: expected files the submission lacks (named when a function is not found)
        adapters: trusted support modules imported after the submission and looked up first
        memoize: functions whose results depend only on the files and the arguments (seeded)
    """

    def __init__(
        self,
        files: dict[str, bytes],
        modules: list[str],
        *,
        opaque: dict[str, list[int]] | None = None,
        limits: Limits | None = None,
        forbidden_imports: list[str] | None = None,
        hide: list[str] | None = None,
        missing_files: list[str] | None = None,
        adapters: list[str] | None = None,
        memoize: list[str] | None = None,
    ) -> None:
        self._files, self._modules = files, modules
        self._memoize = set(memoize or [])
        self._opaque = opaque or {}
        self._limits = limits or Limits()
        self._forbidden = forbidden_imports or []
        self._hide = hide
        self._worker: WorkerProcess | None = None
        self._generation = 0
        self.import_error: str | None = None
        self._past_output: list[str] = []
        self.module_errors: dict[str, str] = {}
        self._missing = missing_files or []
        self._adapters = adapters or []
        self._timed_out: set[str] = set()  # functions not run again after a timeout
        self._call_timeout = self._limits.call_timeout
        self._seq = 0

    # -- lifecycle

    def start(self) -> None:
        """Start a worker and import the submission; records ``import_error`` on failure."""
        self._generation += 1
        try:
            self._worker = WorkerProcess(self._files, self._limits, self._hide, self._forbidden)
        except OSError as exc:  # the next call tries again: a batch-mate's full disk costs one case
            raise GraderError(
                f"the grader could not start a worker for this case ({type(exc).__name__}: {exc}); "
                "it was not graded, through no fault of the submission: ask for a regrade"
            ) from None
        try:
            reply, _ = self._request(
                {"op": "import", "modules": self._modules, "adapters": self._adapters, "forbidden": self._forbidden},
                self._limits.import_timeout,
                "importing the submission",
            )
        except StudentError as exc:
            self.import_error = str(exc)
            return
        if reply.get("status") == "refused":  # the sandbox could not lock itself down
            self.import_error = str(reply.get("message"))
            return
        errors = reply.get("errors") if isinstance(reply.get("errors"), dict) else {}
        self.module_errors = {
            str(name): _format_exception(err if isinstance(err, dict) else {}, f"could not import {name}.py")
            for name, err in errors.items()
        }
        if reply.get("status") != "ok" or (self._modules and set(self._modules) <= set(self.module_errors)):
            self.import_error = "\n".join(self.module_errors.values()) or "the submission could not be imported"

    def close(self) -> None:
        if self._worker is not None:
            self._worker.kill()
            self._past_output.append(self._worker.output.text())
            self._worker = None

    def __enter__(self) -> "StudentProxy":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def deadline(self, seconds: float | None):
        """Within the block, each call may take ``seconds`` instead of the default limit."""
        previous = self._call_timeout
        self._call_timeout = seconds or previous
        try:
            yield
        finally:
            self._call_timeout = previous

    @property
    def call_timeout(self) -> float:
        """The per-call time limit in force now."""
        return self._call_timeout

    @property
    def output(self) -> str:
        """What the submission printed so far, across worker restarts (each worker's truncated)."""
        current = [self._worker.output.text()] if self._worker else []
        text = "".join(self._past_output + current)
        limit = self._limits.output_kb * 1024
        if len(text) > limit:
            dropped = len(text) - limit
            text = text[:limit] + f"\n... [{dropped} more characters of output dropped]"
        return text

    # -- calls

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    def call(self, fn: str, *args: Any, **kwargs: Any) -> Any:
        """Call ``fn`` in the worker and return its decoded result."""
        if self.import_error:
            raise SubmissionBroken(self.import_error)
        if self._missing and not self._modules:  # nothing of this worker's files was submitted
            raise StudentError(f"{' and '.join(self._missing)} {'was' if len(self._missing) == 1 else 'were'} not submitted: {fn} cannot run")
        if fn in self._timed_out:
            # an infinite loop would cost the time limit on every case: fail the rest at once
            raise StudentTimeout(f"{fn} was not run again: it timed out on an earlier case")
        handles = [v for v in _walk(args, kwargs) if isinstance(v, wire.Handle)]
        encoded, blobs = wire.encode([list(args), kwargs])
        key = self._memo_key(fn, encoded, blobs) if fn in self._memoize and not handles else None
        if key in _MEMO:
            return copy.deepcopy(_MEMO[key])
        if self._worker is None or not self._worker.alive():
            self.close()
            self.start()
            if self.import_error:
                raise SubmissionBroken(self.import_error)
        if any(h.generation != self._generation for h in handles):
            raise StudentError(f"{fn}: the object from an earlier call was lost when the worker restarted (that earlier call failed)")
        result = self._call(fn, encoded, blobs)
        if key is not None and len(_MEMO) < _MEMO_LIMIT:
            _MEMO[key] = copy.deepcopy(result)
        return result

    def _memo_key(self, fn: str, encoded: dict, blobs: list[bytes]) -> str:
        digest = hashlib.sha256(fn.encode() + b"\0" + repr(encoded).encode())
        for blob in blobs:
            digest.update(hashlib.sha256(blob).digest())
        for name in sorted(self._files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self._files[name]).digest())
        return digest.hexdigest()

    def _call(self, fn: str, encoded: dict, blobs: list[bytes]) -> Any:
        """One call in the worker; the student's exceptions become ``StudentError``s."""
        enc_args, enc_kwargs = encoded["v"]
        header = {
            "op": "call",
            "fn": fn,
            "args": enc_args,
            "kwargs": enc_kwargs,
            "opaque": self._opaque.get(fn, []),
        }
        reply, reply_blobs = self._request(header, self._call_timeout, fn, blobs)
        status = reply.get("status")
        if status == "notfound":
            reasons = [f"{name} was not submitted" for name in self._missing] + list(self.module_errors.values())
            raise FunctionNotFound(f"the submission has no function {fn}" + (": " + "; ".join(reasons) if reasons else ""))
        if status == "exception":
            if reply.get("etype") == "NotImplementedError":
                raise NotImplementedByStudent(f"{fn} is not implemented yet (it raises NotImplementedError)")
            if reply.get("etype") == "MemoryError":
                raise StudentError(f"{fn} exceeded memory (limit {self._worker.memory_mb if self._worker else self._limits.memory_mb} MB)")
            bases = reply.get("bases") if isinstance(reply.get("bases"), list) else []
            raise StudentException(_format_exception(reply, f"{fn} raised an exception"), str(reply.get("etype")), tuple(map(str, bases)))
        if status != "ok":
            raise StudentError(f"{fn}: the worker sent an invalid reply")
        try:
            value = wire.decode(reply.get("value"), reply_blobs, self._generation)
            after = wire.decode(reply.get("inputs"), reply_blobs, self._generation)
        except wire.WireError as exc:
            self.close()
            raise StudentError(f"{fn}: the submission sent back malformed data ({exc})") from None
        mutated = modified_inputs(wire.decode(enc_args, blobs), wire.decode(enc_kwargs, blobs), after)
        if mutated:
            raise StudentError(f"{fn} modified its input argument(s) {', '.join(mutated)} in place")
        return value

    def _request(self, header: dict, timeout: float, what: str, blobs: list[bytes] | None = None) -> tuple[dict, list[bytes]]:
        """Send a request and read its reply, all within ``timeout`` (a reply that has begun gets
        ``REPLY_GRACE`` more seconds to finish): a worker that stalls is ended, never waited for."""
        worker = self._worker
        assert worker is not None
        self._seq += 1
        header = dict(header, seq=self._seq)
        deadline = time.monotonic() + timeout
        try:
            wire.send(worker.to_child, header, blobs or [], deadline)
            if not wire.wait(worker.from_child, False, deadline):
                raise self._stalled(what, f"{what} timed out after {timeout:g} s (infinite loop, or far too slow?)")
            reply, reply_blobs = wire.receive(worker.from_child, deadline + REPLY_GRACE)
        except (EOFError, OSError):
            if worker.alive():
                with contextlib.suppress(subprocess.TimeoutExpired):
                    worker.process.wait(timeout=5)
            reason = worker.exit_description()
            self.close()
            raise WorkerDied(f"{what}: the worker process {reason}") from None
        except wire.WireTimeout as exc:
            stopped = "reading its request" if exc.writing else "responding mid-reply"
            raise self._stalled(what, f"{what}: the worker stopped {stopped} ({exc}; limit {timeout:g} s)") from None
        except wire.WireError as exc:
            self.close()
            raise StudentError(f"{what}: the submission sent back malformed data ({exc})") from None
        if reply.get("seq") != self._seq:
            # something else wrote into the reply pipe: never trust this worker again
            self.close()
            raise StudentError(f"{what}: the submission wrote into the grader's channel")
        return reply, reply_blobs

    def _stalled(self, what: str, message: str) -> StudentTimeout:
        """End a worker that ran out of time; the function is not run again."""
        self.close()
        self._timed_out.add(what)
        return StudentTimeout(message)


def modified_inputs(args: list, kwargs: dict, after: Any) -> list[str]:
    """The array arguments the grader sent that came back different (or not at all) after the
    call: compared byte for byte here, in the grader, never trusted from the worker."""
    sent = wire.array_arguments(args, kwargs)
    after = after if isinstance(after, dict) else {}
    changed = []
    for name, original in sent.items():
        now = after.get(name)
        same = isinstance(now, np.ndarray) and now.dtype == original.dtype and now.shape == original.shape
        if not (same and now.tobytes() == original.tobytes()):
            changed.append(name)
    return sorted(changed)


def _format_exception(reply: dict, headline: str) -> str:
    trace = str(reply.get("traceback") or "").strip()
    etype, message = reply.get("etype", "Exception"), reply.get("message", "")
    return f"{headline}:\n{trace}" if trace else f"{headline}: {etype}: {message}"


def _walk(args: tuple, kwargs: dict):
    stack = list(args) + list(kwargs.values())
    while stack:
        value = stack.pop()
        if isinstance(value, (list, tuple)):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        else:
            yield value


def defined_names(files: dict[str, bytes]) -> set[str]:
    """Top-level names of the Python files among ``files`` (statically: nothing runs)."""
    return {n for name, data in files.items() if name.endswith(".py") for n in top_level_names(data)}


@dataclass
class WorkerGroupProxy:
    """One ``[[workers]]`` group of a submission: its proxy, the files it grades, and the names
    its submitted files and adapters define (for messages only: routing never trusts them)."""

    proxy: StudentProxy
    files: tuple[str, ...]
    defined: set[str]


class SubmissionProxy:
    """A submission graded in one worker per import policy (``[[workers]]`` of assignment.toml).

    A call goes to the worker of the group that owns the function by the assignment's policy
    (``owners``: function -> group), never to whichever file happens to define it, so a NumPy-only
    file never hands its functions to a file allowed to use torch. A function missing from its
    owner's file fails with a message naming that file (and where else it was defined). One
    worker runs at a time (memory); the others start on demand. A single policy is one group.
    """

    def __init__(self, groups: list[WorkerGroupProxy], owners: dict[str, int] | None = None) -> None:
        self._groups = groups
        self._owners = owners or {}
        self._active: StudentProxy | None = None

    def __enter__(self) -> "SubmissionProxy":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for group in self._groups:
            group.proxy.close()

    def _convlab_release(self) -> None:
        """``checklib.release_workers``: free the workers until the next call."""
        self.close()
        self._active = None

    def route(self, fn: str) -> WorkerGroupProxy:
        """The group whose worker runs ``fn``: its owner by policy, the only group, or an error."""
        if len(self._groups) == 1:
            return self._groups[0]
        if fn not in self._owners:
            raise StudentError(f"{fn} is not a function of this assignment (the grader has no file that owns it)")
        return self._groups[self._owners[fn]]

    def call(self, fn: str, *args: Any, **kwargs: Any) -> Any:
        group = self.route(fn)
        if self._active is not None and self._active is not group.proxy:
            self._active.close()  # only one worker holds memory at a time
        self._active = group.proxy
        try:
            return group.proxy.call(fn, *args, **kwargs)
        except FunctionNotFound as exc:
            if len(self._groups) == 1:
                raise
            raise FunctionNotFound(self._misplaced(fn, group, str(exc))) from None

    def _misplaced(self, fn: str, owner: WorkerGroupProxy, detail: str) -> str:
        where = " or ".join(owner.files)
        elsewhere = [f for g in self._groups if g is not owner and fn in g.defined for f in g.files]
        message = f"{fn} must be defined in {where}"
        if elsewhere:
            message += f", but it is in {' and '.join(elsewhere)}: each file is graded in its own worker, under its own import rules"
        return f"{message} ({detail})"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    @contextlib.contextmanager
    def deadline(self, seconds: float | None):
        with contextlib.ExitStack() as stack:
            for group in self._groups:
                stack.enter_context(group.proxy.deadline(seconds))
            yield

    @property
    def call_timeout(self) -> float:
        return self._groups[0].proxy.call_timeout

    @property
    def import_errors(self) -> list[str]:
        """What could not be imported, in the workers that were started."""
        errors = []
        for group in self._groups:
            proxy = group.proxy
            if proxy.import_error:
                errors.append(proxy.import_error)
            else:
                errors += list(proxy.module_errors.values())
        return errors

    @property
    def output(self) -> str:
        return "".join(group.proxy.output for group in self._groups)
