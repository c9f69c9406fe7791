"""Read an uploaded workbook (or do other work on its bytes) in a child process bounded
in memory and in time.

The reader's checks refuse every file known to make calamine allocate without bound or
spin, but calamine parses untrusted bytes with counts of its own: one that the checks do
not know (cells without a reference along a row, a file crafted tomorrow) can still make
it ask for gigabytes, and a failed allocation aborts the process. In the app that
process serves every user. So uploads are read in a child process whose address space
and CPU time are limited (`Limits.max_read_memory_bytes`, `Limits.max_read_seconds`);
a child that dies or overruns becomes an InputError for that file, and the app goes on.
The marked copy of an upload (`annotate`), which openpyxl makes by loading every cell,
is made in such a child too (`run_isolated`).

The child is a new Python process (`python -m data_model.ingest.isolated`: it imports the
reader, 0.07 s, and the module of the work it is given), given the work (a module's
function and its arguments, the file among them), the limits and the language in use
(`i18n.use_language`) pickled on its standard input; it answers with the result (the
sheets) pickled on its standard output (equal texts stay shared; 0.3 s for a
300,000-row sheet). A new process rather than a fork: the app's process has threads, and
forking them is unsafe. The child works with the cycle collector paused, as the importer
does (`cycle_collector`): the rows it makes hold no cycles, and collecting while they pile
up cost 0.3 s of the 2.1 s a 300,000-row sheet takes to read.
"""

from __future__ import annotations

import logging
import math
import pickle
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from data_model import cycle_collector
from data_model.errors import InputError
from data_model.i18n import language_in_use, use_language
from data_model.ingest.raw_sheet import Limits, RawSheet, upload_limits
from data_model.ingest.reader import read_workbook

# The directory holding the `data_model` package: the child's working directory, so that
# `-m` finds it wherever the app was started from.
_PACKAGE_PARENT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
# How much of a failed child's standard error, from its start (a Rust panic's message
# comes before its backtrace), goes to the app's log instead of the app's terminal.
LOGGED_STDERR_BYTES = 4000
log = logging.getLogger(__name__)


def read_isolated(data: bytes, file_name: str, limits: Limits | None = None) -> list[RawSheet]:
    """`reader.read_workbook(data, file_name, limits)`, read in a child process: its
    sheets, its InputError, or an InputError saying the file needed more memory or time
    than the limits allow. Without `limits`, the deployment's (`upload_limits`)."""
    limits = limits or upload_limits()
    return run_isolated(read_workbook, (data, file_name, limits), file_name, limits)


def run_isolated(work: Callable[..., T], arguments: tuple, file_name: str, limits: Limits) -> T:
    """`work(*arguments)` in a child process limited by `limits`: its result, its
    InputError, or an InputError naming `file_name` when it needed more memory or time
    than the limits allow. `work` is a module's function (pickled by its name)."""
    request = pickle.dumps(
        (work, arguments, limits, language_in_use()), protocol=pickle.HIGHEST_PROTOCOL
    )
    try:
        child = subprocess.run(
            [sys.executable, "-m", __name__],
            input=request,
            capture_output=True,  # stderr: a crash's backtrace, for the log (below)
            cwd=_PACKAGE_PARENT,
            timeout=limits.max_read_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:  # the child was killed
        raise _too_slow(file_name, limits) from None
    if child.returncode != 0:
        log.warning(
            "reading %r ended with exit code %s: %s",
            file_name,
            child.returncode,
            child.stderr[:LOGGED_STDERR_BYTES].decode("utf-8", "replace"),
        )
        raise _ended(child.returncode, file_name, limits)
    match pickle.loads(child.stdout):
        case ("result", result):
            return result
        case ("refused", key, suggestion, params):
            raise InputError(key, suggestion, **params)
        case _:  # ("memory",): Python ran out of the address space the child may use
            raise _too_large(file_name, limits)


def _ended(exit_code: int, file_name: str, limits: Limits) -> InputError:
    """Why a child ended without an answer, as a message for the file: its CPU time ran
    out (SIGXCPU), or it ran out of memory (calamine aborts when an allocation fails; the
    kernel's out-of-memory killer sends SIGKILL)."""
    if exit_code == -signal.SIGXCPU:
        return _too_slow(file_name, limits)
    if exit_code in (-signal.SIGABRT, -signal.SIGKILL):
        return _too_large(file_name, limits)
    return InputError("reader.read_failed", file=file_name)


def _too_slow(file_name: str, limits: Limits) -> InputError:
    return InputError("reader.read_too_slow", file=file_name, seconds=limits.max_read_seconds)


def _too_large(file_name: str, limits: Limits) -> InputError:
    limit_mb = limits.max_read_memory_bytes // (1024 * 1024)
    return InputError("reader.read_too_large", file=file_name, limit_mb=limit_mb)


def _child_main() -> None:
    """The child: limits itself, reads the request, writes the outcome (see module doc)."""
    work, arguments, limits, language = pickle.load(sys.stdin.buffer)
    use_language(language)  # the texts it writes (a marked copy's) are in the caller's
    _lower_limit(resource.RLIMIT_AS, limits.max_read_memory_bytes)
    _lower_limit(resource.RLIMIT_CPU, math.ceil(limits.max_read_seconds))
    try:
        with cycle_collector.paused():
            outcome = ("result", work(*arguments))
    except InputError as error:
        outcome = ("refused", error.key, error.suggestion, error.params)
    except MemoryError:
        outcome = ("memory",)
    del arguments
    try:
        answer = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        answer = pickle.dumps(("memory",))
    sys.stdout.buffer.write(answer)


def _lower_limit(which: int, value: int) -> None:
    """Set a resource limit of this process to `value`, or keep a lower one the system
    already sets (a process may not raise its hard limit)."""
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


if __name__ == "__main__":
    _child_main()
