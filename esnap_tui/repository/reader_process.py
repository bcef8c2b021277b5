"""Repository reads in a child process, so decoding never freezes the app.

Reading a snapshot's index metadata is pure-Python SMILE decoding: 3,000 indices are a
second of CPU and hundreds of thousands of short-lived objects. In a thread of the UI process
that work holds the GIL against the event loop and fills the heap the garbage collector then
walks on the UI thread; the screen froze for 100-300 ms at a time while it ran (see
``benchmarks/ui_first_paint.py``). Here each ``RepositoryReader`` lives in one child process
and only the answers (models, pickled) come back.

``call(handle, fn, *args)`` runs ``fn(reader, *args)`` in the child, where ``fn`` is a
module-level function or a ``RepositoryReader`` method and the reader is the one ``handle``
names, opened on first use and kept (with its blob cache) until ``release``. Each handle
carries a token of its own, so two openers of one path never share a reader whose view of the
repository the other did not ask for.

When no child can be started (a sandboxed platform, ``ESNAP_READER_PROCESS=0``), the same
calls run in a thread of this process: slower to the eye, identical in result.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

DISABLE_ENV = "ESNAP_READER_PROCESS"  # "0" keeps every read in a thread of this process
_tokens = itertools.count(1)


@dataclass(frozen=True)
class ReaderHandle:
    """Names one reader: the repository's directory, its display name and whose it is."""

    path: str
    name: str
    token: int

    @classmethod
    def new(cls, path: str | Path, name: str) -> ReaderHandle:
        return cls(str(path), name, next(_tokens))


# -- the child's side (also used in-process when no child can run) -------------------------

_readers: dict[ReaderHandle, Any] = {}
_readers_lock = threading.Lock()


def _reader_for(handle: ReaderHandle) -> Any:
    with _readers_lock:
        reader = _readers.get(handle)
    if reader is None:
        from esnap_tui.repository.reader import RepositoryReader

        reader = RepositoryReader(handle.path, name=handle.name)
        with _readers_lock:
            reader = _readers.setdefault(handle, reader)
    return reader


def _run(handle: ReaderHandle, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    return fn(_reader_for(handle), *args)


def _release(handles: tuple[ReaderHandle, ...]) -> None:
    with _readers_lock:
        for handle in handles:
            _readers.pop(handle, None)


def _child_started() -> None:
    """Child set-up: ignore the terminal's ^C (the app decides when to stop), write nothing
    to the terminal the app draws on (answers and errors go back through the pipe), and
    import the reader now, so the first real call does not wait for it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    os.close(quiet)
    import esnap_tui.repository.reader  # noqa: F401


def _ready() -> int:
    return os.getpid()


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker with the process's real stderr.

    The tracker's start passes ``sys.stderr``'s descriptor to its child; a running Textual app
    has swapped ``sys.stderr`` for a capture object with no valid one, and the start failed
    ("bad value(s) in fds_to_keep"), leaving every read in a thread. The swap back lasts only
    while the tracker starts (once per process).
    """
    from multiprocessing import resource_tracker

    real = sys.__stderr__
    if real is None:
        resource_tracker.ensure_running()
        return
    swapped, sys.stderr = sys.stderr, real
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = swapped


# -- the app's side -----------------------------------------------------------------------


class ReaderProcess:
    """One child process holding every reader; calls are queued to it in order.

    One worker, not a pool: each reader and its blob cache live in exactly one place, and
    long jobs (filling in times, reading thousands of index blobs) are already cut into calls
    that let others in between.
    """

    def __init__(self, *, use_process: bool | None = None) -> None:
        if use_process is None:
            use_process = os.environ.get(DISABLE_ENV, "1") != "0"
        self.use_process = use_process
        self.fallback_reason: str | None = None if use_process else f"{DISABLE_ENV}=0"
        self._executor: Executor | None = None
        self._lock = threading.Lock()  # one start at a time, from whichever loop or thread

    async def _pool(self) -> Executor | None:
        """The child's executor, started off the event loop on first use; None in-process."""
        if self.use_process and self._executor is None:
            await asyncio.to_thread(self._start)
        return self._executor

    def _start(self) -> None:
        with self._lock:
            if self._executor is not None or not self.use_process:
                return
            try:
                _start_resource_tracker()
                executor = ProcessPoolExecutor(
                    max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_child_started,
                )
                executor.submit(_ready).result()
            except Exception as error:  # no child processes here: read in a thread instead
                self._use_threads(f"cannot start a reader process: {error}")
                return
            self._executor = executor

    def _use_threads(self, reason: str) -> None:
        self.use_process = False
        self.fallback_reason = reason

    async def call(self, handle: ReaderHandle, fn: Callable[..., T], *args: Any) -> T:
        """``fn(reader, *args)`` with the reader ``handle`` names; its exceptions are raised
        here unchanged (repository errors keep their path and problem)."""
        return await self.run(_run, handle, fn, args)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the child: for whole jobs that open what they read themselves
        (``fn`` and its arguments and answer must pickle)."""
        executor = await self._pool()
        if executor is not None:
            try:
                return await asyncio.wrap_future(executor.submit(fn, *args))
            except BrokenProcessPool as error:  # the child died (killed, out of memory)
                with self._lock:
                    self._executor = None
                self._use_threads(f"the reader process stopped: {error}")
        return await asyncio.to_thread(fn, *args)

    async def release(self, *handles: ReaderHandle) -> None:
        """Forget these readers (their caches go with them)."""
        if not handles:
            return
        executor = self._executor
        if executor is not None:
            with contextlib.suppress(Exception):
                await asyncio.wrap_future(executor.submit(_release, handles))
        _release(handles)

    def shutdown(self) -> None:
        """Stop the child (the app has closed): queued reads are dropped, a running one is
        let finish. A later call starts a new child.

        It waits for the child to exit: returning at once let the interpreter's exit in a
        multiprocessing child close the queue's feeder before the stop message went out, and
        the exit then waited for the child forever."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)


_shared: ReaderProcess | None = None


def shared_reader_process() -> ReaderProcess:
    """The process-wide ``ReaderProcess``: every source of every app in this process uses
    one child (tests run hundreds of apps; each starting its own child would cost seconds)."""
    global _shared
    if _shared is None:
        _shared = ReaderProcess()
    return _shared
