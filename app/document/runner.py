"""Live analysis: debounced, on one worker thread, results back on the GUI thread, stale ones dropped.

The shape (snapshot → one-worker executor → queued delivery → drop if stale):

1. Every ``document.revision_changed`` restarts a short timer (``delay_ms``,
   300 ms by default), so a burst of edits — typing a name, a run of nudges —
   costs one analysis, not one per keystroke.
2. When the timer fires, the runner takes ``document.model`` (a frozen
   pydantic object, so handing it to another thread is safe: nobody can change
   it) and ``document.revision``, and submits ``analyze(model, library)`` to a
   ``ThreadPoolExecutor`` with ONE worker. At most one run is in flight; edits
   made meanwhile are coalesced into one follow-up run of the newest model.
3. The worker never touches Qt objects. Its outcome is handed to a signal of
   a bridge object that lives in the GUI thread, over a queued connection, so
   the slot runs in the GUI thread's event loop.
4. On the GUI thread, a result whose revision is older than the document's,
   or older than a result already delivered, is dropped: a slow old run can
   never overwrite a newer picture.

Python's cyclic garbage collector is paused while a run is in flight and
resumed on the GUI thread. Otherwise a collection can start in the worker
thread (whichever thread allocates when the threshold is crossed) and free an
unreachable cycle that holds a Qt object — deleting that object in the wrong
thread and corrupting the heap. This is the crash pyqtgraph's
``GarbageCollector`` and Anki's main-thread GC exist to avoid; we saw it as
``corrupted size vs. prev_size`` aborts in this package's tests.

Errors raised by the engine (or by loading the threat library) are caught
on the worker and reported as ``state_changed("error: …")``; they never
reach the event loop as exceptions.

``synchronous=True`` runs the engine inline, in the caller's thread, as soon
as the revision changes: deterministic, for tests and headless tools that do
not care about responsiveness.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import logging
import threading
import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, Qt, QTimer, Signal

log = logging.getLogger(__name__)

ANALYSING = "analysing…"
UP_TO_DATE = "up to date"
IDLE = "idle"

Analyze = Callable[[Any, Any], Any]


def default_analyze(model, library):
    """The analysis engine's ``analyze`` (the runner's and the report export's default)."""
    # imported on first use: the engine is optional for the rest of the document layer
    from app.analysis import analyze

    return analyze(model, library)


def _default_library():
    from app.knowledge import load_library

    return load_library()


class GcPause:
    """Pause automatic garbage collection while any analysis run is in flight.

    Every run holds a token from :meth:`enter` (GUI thread) until :meth:`leave`
    (GUI thread; idempotent). The worker releases its token through a
    module-level bridge object that is never deleted, so the pause ends even
    when the runner that started the run was deleted meanwhile (a window
    closed during an analysis).
    """

    active: set[int] = set()
    was_enabled = True
    _counter = 0
    bridge: Optional["_GcBridge"] = None

    @classmethod
    def enter(cls) -> int:
        if cls.bridge is None:
            cls.bridge = _GcBridge()  # created in the GUI thread, lives as long as the module
            cls.bridge.released.connect(cls.leave, Qt.ConnectionType.QueuedConnection)
        if not cls.active:
            cls.was_enabled = gc.isenabled()
            gc.disable()
        cls._counter += 1
        cls.active.add(cls._counter)
        return cls._counter

    @classmethod
    def leave(cls, token: int) -> None:
        if token not in cls.active:
            return
        cls.active.discard(token)
        if not cls.active and cls.was_enabled:
            # collect here, on the GUI thread, before re-enabling: the allocation count is
            # reset, so the worker cannot cross the threshold while it finishes its loop
            gc.collect(0)
            gc.enable()


@contextlib.contextmanager
def gc_paused():
    """Pause automatic garbage collection for a bulk build on the GUI thread (one GcPause token).

    Opening a large model creates a few hundred thousand objects that all live on
    (the model, the scene's items, routes and labels). Automatic collections
    during the build free nothing, yet each full one walks the whole heap: they
    took a third of opening the 2,000-element benchmark diagram. Leaving the
    pause collects the youngest generation once, as :meth:`GcPause.leave` does.
    """
    token = GcPause.enter()
    try:
        yield
    finally:
        GcPause.leave(token)


class _GcBridge(QObject):
    released = Signal(int)


class _Outcome:
    __slots__ = ("revision", "result", "error")

    def __init__(self, revision: int, result: Any = None, error: str = ""):
        self.revision = revision
        self.result = result
        self.error = error


class _Bridge(QObject):
    """Lives in the GUI thread; the worker emits ``finished`` on it (delivered queued)."""

    finished = Signal(object)


class AnalysisRunner(QObject):
    """Runs the analysis engine on every change of a Document, off the GUI thread.

    ``result_ready(result, revision)`` delivers an ``AnalysisResult`` for the
    document's current revision; ``state_changed(text)`` reports
    ``"analysing…"``, ``"up to date"`` or ``"error: …"`` for the status bar.
    """

    result_ready = Signal(object, int)
    state_changed = Signal(str)

    def __init__(
        self,
        document,
        *,
        analyze: Analyze | None = None,
        library: Any = None,
        load_library: Callable[[], Any] | None = None,
        delay_ms: int = 300,
        synchronous: bool = False,
        parent: QObject | None = None,
    ):
        super().__init__(parent)
        self._document = document
        self._analyze = analyze or default_analyze
        self._library = library
        self._load_library = load_library or _default_library
        self._library_lock = threading.Lock()
        self._synchronous = synchronous
        self._state = IDLE
        self._result: Any = None
        self._result_revision = -1  # revision of the newest result delivered
        self._running: Optional[int] = None  # revision in flight
        self._gc_token = 0
        self._pending = False
        self._closed = False
        self._executor: Optional[concurrent.futures.ThreadPoolExecutor] = None
        if not synchronous:
            self._executor = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")
        self._bridge = _Bridge(self)
        self._bridge.finished.connect(self._on_worker_finished, Qt.ConnectionType.QueuedConnection)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(0, int(delay_ms)))
        self._timer.timeout.connect(self.run_now)
        document.revision_changed.connect(self._on_document_revision_changed)

    # ------------------------------------------------------------ public
    @property
    def state(self) -> str:
        return self._state

    @property
    def result(self) -> Any:
        """The newest delivered result (``None`` before the first)."""
        return self._result

    @property
    def result_revision(self) -> int:
        """The document revision the newest delivered result belongs to (-1: none yet)."""
        return self._result_revision

    def is_up_to_date(self) -> bool:
        return self._state == UP_TO_DATE and self._result_revision == self._document.revision

    def request(self) -> None:
        """Analyse soon (after the debounce delay); synchronous mode analyses now."""
        if self._closed:
            return
        if self._synchronous:
            self.run_now()
        else:
            self._timer.start()

    def library(self) -> Any:
        """The threat library runs use: the one given or set, else loaded (on first use) by
        ``load_library``. Raises what loading raises."""
        return self._get_library()

    def set_library(self, library: Any) -> None:
        """Analyse with ``library`` from now on (the editor's threat-library setting changed), now."""
        with self._library_lock:
            self._library = library
        self.run_now()

    def run_now(self) -> None:
        """Analyse the current model without waiting for the debounce delay."""
        self._timer.stop()
        if self._closed:
            return
        revision = self._document.revision
        model = self._document.model
        if self._synchronous:
            self._set_state(ANALYSING)
            self._deliver(self._work(model, revision))
            return
        if self._running is not None:
            self._pending = True  # coalesce: one follow-up run of whatever is newest then
            return
        self._running = revision
        self._set_state(ANALYSING)
        token = self._gc_token = GcPause.enter()
        future = self._executor.submit(self._work, model, revision)
        future.add_done_callback(lambda f, r=revision, t=token: self._on_future_done(f, r, t))

    def shutdown(self, wait: bool = False) -> None:
        """Stop analysing (window closing). A run in flight finishes but is not delivered."""
        self._closed = True
        self._timer.stop()
        try:
            self._document.revision_changed.disconnect(self._on_document_revision_changed)
        except (RuntimeError, TypeError):
            pass
        if self._executor is not None:
            self._executor.shutdown(wait=wait, cancel_futures=True)
            if wait and self._running is not None:
                # the worker has stopped, so collecting is safe again; the delivery is ignored
                self._running = None
                GcPause.leave(self._gc_token)

    # ------------------------------------------------------------ worker side (no Qt here)
    def _work(self, model, revision: int) -> _Outcome:
        try:
            library = self._get_library()
        except Exception as exc:  # noqa: BLE001 - a library that does not load is reported, not raised
            log.error("the threat library did not load: %s", exc)
            return _Outcome(revision, error=f"threat library: {exc}")
        try:
            return _Outcome(revision, result=self._analyze(model, library))
        except Exception as exc:  # the engine must never take the editor down
            log.error("analysis of revision %s failed:\n%s", revision, traceback.format_exc())
            return _Outcome(revision, error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)

    def _get_library(self):
        with self._library_lock:
            if self._library is None:
                self._library = self._load_library()
            return self._library

    def _on_future_done(self, future: concurrent.futures.Future, revision: int, token: int) -> None:
        # runs on the worker thread: hand over to the GUI thread and nothing else
        outcome = _Outcome(revision, error="cancelled") if future.cancelled() else future.result()
        GcPause.bridge.released.emit(token)
        try:
            self._bridge.finished.emit(outcome)
        except RuntimeError:  # the runner was deleted while the run was in flight
            pass

    # ------------------------------------------------------------ GUI thread
    def _on_worker_finished(self, outcome: _Outcome) -> None:
        if self._running is None:
            return  # shut down meanwhile and already accounted for
        self._running = None
        GcPause.leave(self._gc_token)
        if self._closed:
            return
        self._deliver(outcome)
        if self._pending:  # edits arrived while this run was in flight
            self._pending = False
            self.run_now()
        elif outcome.revision < self._document.revision and not self._timer.isActive():
            self.run_now()

    def _deliver(self, outcome: _Outcome) -> None:
        current = self._document.revision
        if outcome.revision < current or outcome.revision < self._result_revision:
            return  # stale: a newer revision exists; its own run reports
        if outcome.error:
            self._set_state(f"error: {outcome.error}")
            return
        self._result = outcome.result
        self._result_revision = outcome.revision
        self._set_state(UP_TO_DATE)
        self.result_ready.emit(outcome.result, outcome.revision)

    def _on_document_revision_changed(self, _revision: int) -> None:
        self.request()

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)
