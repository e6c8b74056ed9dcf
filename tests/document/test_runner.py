"""The analysis runner: never on the GUI thread, stale results dropped, errors reported, debounced."""

from __future__ import annotations

import gc
import threading
import time

import pytest

from app.analysis.findings import AnalysisResult
from app.document import RenameCommand, SetModelInfoCommand
from app.document.runner import UP_TO_DATE, AnalysisRunner


class FakeEngine:
    """Stands in for ``app.analysis.analyze``: records where and on what it ran.

    A model whose name starts with "slow" takes ``slow_s`` seconds; one named
    "boom" raises, as a broken engine would.
    """

    def __init__(self, slow_s: float = 0.6):
        self.slow_s = slow_s
        self.calls: list[tuple[str, int]] = []  # (model name, thread id)
        self.gc_enabled: list[bool] = []  # automatic GC state while the engine ran
        self.lock = threading.Lock()

    def __call__(self, model, library):
        assert library == "LIB"
        with self.lock:
            self.calls.append((model.info.name, threading.get_ident()))
            self.gc_enabled.append(gc.isenabled())
        if model.info.name.startswith("slow"):
            time.sleep(self.slow_s)
        if model.info.name == "boom":
            raise ValueError("rule R7 divided by zero")
        return AnalysisResult(findings=(), library_version=model.info.name)


@pytest.fixture
def engine():
    return FakeEngine()


@pytest.fixture
def runner(doc, engine):
    r = AnalysisRunner(doc, analyze=engine, library="LIB", delay_ms=20)
    yield r
    r.shutdown(wait=True)


def _rename_model(doc, name):
    doc.push(SetModelInfoCommand(doc, {"name": name}))


def test_engine_never_runs_on_the_gui_thread(qtbot, doc, runner, engine):
    gui_thread = threading.get_ident()
    delivered_on = []
    runner.result_ready.connect(lambda *_: delivered_on.append(threading.get_ident()))
    with qtbot.waitSignal(runner.result_ready, timeout=5000) as blocker:
        _rename_model(doc, "first")
    result, revision = blocker.args
    assert result.library_version == "first" and revision == doc.revision
    assert engine.calls and all(thread != gui_thread for _, thread in engine.calls)
    assert delivered_on == [gui_thread]  # delivery comes back to the GUI thread
    assert runner.state == UP_TO_DATE and runner.is_up_to_date()


def test_garbage_collection_never_runs_on_the_worker(qtbot, doc, runner, engine):
    # a collection on the worker could free Qt objects in the wrong thread (a heap corruption)
    assert gc.isenabled()
    with qtbot.waitSignal(runner.result_ready, timeout=5000):
        _rename_model(doc, "gc")
    assert engine.gc_enabled == [False]
    assert gc.isenabled()  # resumed on the GUI thread once the run is delivered


def test_a_stale_result_never_replaces_a_newer_one(qtbot, doc, runner, engine):
    delivered = []
    runner.result_ready.connect(lambda result, revision: delivered.append((result.library_version, revision)))
    _rename_model(doc, "slow old")
    runner.run_now()  # the old, slow run starts at once
    qtbot.waitUntil(lambda: len(engine.calls) == 1, timeout=2000)
    _rename_model(doc, "fast new")  # edited while the slow run is in flight
    newest = doc.revision
    qtbot.waitUntil(lambda: ("fast new", newest) in delivered, timeout=5000)
    qtbot.wait(engine.slow_s * 1000 + 100)  # give a stale delivery every chance to show up
    assert [name for name, _ in engine.calls] == ["slow old", "fast new"]
    assert delivered == [("fast new", newest)]
    assert runner.result.library_version == "fast new" and runner.result_revision == newest


def test_a_burst_of_edits_is_analysed_once(qtbot, doc, runner, engine):
    with qtbot.waitSignal(runner.result_ready, timeout=5000):
        for i in range(8):
            doc.push(RenameCommand(doc, "e1", f"User {i}"))
    qtbot.wait(100)
    assert len(engine.calls) == 1


def test_engine_errors_are_reported_not_raised(qtbot, doc, runner):
    with qtbot.waitSignal(runner.state_changed, timeout=5000, check_params_cb=lambda s: s.startswith("error")) as b:
        _rename_model(doc, "boom")
    assert b.args == ["error: ValueError: rule R7 divided by zero"]
    assert runner.result is None
    with qtbot.waitSignal(runner.result_ready, timeout=5000):
        _rename_model(doc, "fixed")
    assert runner.state == UP_TO_DATE


def test_library_load_failure_is_reported(qtbot, doc):
    def broken_library():
        raise OSError("library folder unreadable")

    r = AnalysisRunner(doc, analyze=FakeEngine(), load_library=broken_library, delay_ms=0)
    try:
        with qtbot.waitSignal(r.state_changed, timeout=5000, check_params_cb=lambda s: s.startswith("error")) as b:
            r.request()
        assert "library folder unreadable" in b.args[0]
    finally:
        r.shutdown(wait=True)


def test_synchronous_mode_runs_inline(doc, engine):
    r = AnalysisRunner(doc, analyze=engine, library="LIB", synchronous=True)
    seen = []
    r.result_ready.connect(lambda result, revision: seen.append(revision))
    _rename_model(doc, "sync")
    assert seen == [doc.revision] and engine.calls[0][1] == threading.get_ident()
    r.shutdown()
    _rename_model(doc, "after shutdown")
    assert len(engine.calls) == 1


def test_results_after_shutdown_are_not_delivered(qtbot, doc, engine):
    r = AnalysisRunner(doc, analyze=engine, library="LIB", delay_ms=0)
    delivered = []
    r.result_ready.connect(lambda *a: delivered.append(a))
    _rename_model(doc, "slow closing")
    r.run_now()
    qtbot.waitUntil(lambda: len(engine.calls) == 1, timeout=2000)
    r.shutdown(wait=True)
    qtbot.wait(50)
    assert delivered == []


def test_the_real_engine_on_an_example(qtbot, qapp):
    """With no engine given, the runner loads the bundled library and runs app.analysis.analyze."""
    from app.analysis import analyze
    from app.document import Document
    from app.knowledge import load_library
    from app.resources import example_files

    doc = Document()
    runner = AnalysisRunner(doc, delay_ms=0)
    try:
        with qtbot.waitSignal(runner.result_ready, timeout=30000) as blocker:
            doc.new_from_example(example_files()[0])
        result, revision = blocker.args
        assert isinstance(result, AnalysisResult) and revision == doc.revision
        assert result.findings  # the examples are built to have findings
        assert result == analyze(doc.model, load_library())  # same answer as the headless path
    finally:
        runner.shutdown(wait=True)


def test_gc_resumes_when_a_runner_is_deleted_mid_run(qtbot, doc, engine):
    """A window closed during an analysis: the run finishes unseen, and collection comes back on."""
    r = AnalysisRunner(doc, analyze=engine, library="LIB", delay_ms=0)
    _rename_model(doc, "slow and orphaned")
    r.run_now()
    qtbot.waitUntil(lambda: len(engine.calls) == 1, timeout=2000)
    assert not gc.isenabled()
    r.shutdown()  # no wait, as a closing window does
    r.deleteLater()
    del r
    qtbot.waitUntil(gc.isenabled, timeout=5000)


def test_a_new_library_is_used_at_once_and_from_then_on(doc):
    """The editor's threat-library setting changed: the model is analysed again, with it."""
    used = []

    def analyze(model, library):
        used.append(library)
        return AnalysisResult(findings=(), library_version=library)

    r = AnalysisRunner(doc, analyze=analyze, library="old", synchronous=True)
    _rename_model(doc, "first")
    r.set_library("new")
    assert used == ["old", "new"] and r.result.library_version == "new" and r.library() == "new"
    _rename_model(doc, "second")
    assert used[-1] == "new"
