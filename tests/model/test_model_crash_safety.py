"""Saving never leaves a broken file: not when the process is killed mid-save, not when the disk fails.

The kill test forks a child that saves a large model over and over (alternating
two versions) and SIGKILLs it at random moments. After every kill the file on
disk must parse and be byte-for-byte one of the two versions. Temporary files a
kill leaves behind must be recognisable (hidden, ``.tmp``) and must not match
the model glob, so nothing ever mistakes them for a model.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import random
import signal
import stat
import sys
import time

import pytest

import app.model.io as model_io
from app.model import dumps_model, load_model, make_element, parse_model, save_model

from model_builders import small_model

MODEL_GLOB = "*.tcm.json"


def _large_models():
    """Two ~4 MB versions of one model: a save takes tens of milliseconds, so kills land inside it."""
    base = small_model()
    extra = [make_element("process", f"p{i}", f"Process {i}", description="d" * 100_000) for i in range(40)]
    data = base.model_dump()
    data["elements"] = [*data["elements"], *(e.model_dump() for e in extra)]
    data["layout"]["elements"].update({f"p{i}": {"x": float(i), "y": 0.0, "w": 10.0, "h": 10.0} for i in range(40)})
    old = type(base).model_validate(data)
    data["layout"]["elements"]["p7"]["x"] = 999.0  # the user moved a node and saved again
    data["info"]["name"] = "Second version"
    new = type(base).model_validate(data)
    return old, new


def _leftovers(folder, target_name: str) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != target_name}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_at_random_moments_never_leaves_a_broken_file(tmp_path):
    old, new = _large_models()
    old_bytes, new_bytes = dumps_model(old).encode(), dumps_model(new).encode()
    target = tmp_path / "model.tcm.json"
    save_model(old, target)
    started = time.perf_counter()
    save_model(old, target)
    save_seconds = time.perf_counter() - started

    rng = random.Random(20251126)
    kills = mid_save_kills = 0
    seen: set[bytes] = set()
    leftovers_before: set[str] = set()
    # at least 20 kills, and keep going (bounded) until enough landed inside a save
    while kills < 20 or (mid_save_kills < 5 and kills < 200):
        pid = os.fork()
        if pid == 0:  # child: save forever until killed; never return into pytest
            try:
                while True:
                    save_model(new, target)
                    save_model(old, target)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0, 3 * save_seconds))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "the child died of something else"
        kills += 1

        data = target.read_bytes()
        assert data in (old_bytes, new_bytes), f"kill {kills}: the file is neither the old nor the new model"
        seen.add(data)
        assert parse_model(data) in (old, new)

        leftovers = _leftovers(tmp_path, target.name)
        if leftovers - leftovers_before:
            mid_save_kills += 1  # this kill landed between creating the temp file and renaming it
        leftovers_before = leftovers
        for name in leftovers:
            assert name.startswith(f".{target.name}.") and name.endswith(".tmp"), name
            assert not fnmatch.fnmatch(name, MODEL_GLOB), name
        assert [p.name for p in tmp_path.glob(MODEL_GLOB)] == [target.name]

    assert kills >= 20
    assert mid_save_kills >= 5, f"only {mid_save_kills} of {kills} kills landed inside a save: test proves little"
    assert load_model(target) in (old, new)
    print(f"{kills} kills, {mid_save_kills} inside a save, save takes {save_seconds * 1000:.0f} ms", file=sys.stderr)


# ------------------------------------------------------------------ failing saves
@pytest.fixture
def saved(tmp_path):
    model = small_model()
    target = tmp_path / "m.tcm.json"
    save_model(model, target)
    return target, target.read_bytes(), model.replace(info={"name": "Changed"})


def _only_target_left(target):
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_failed_replace_keeps_old_file_and_removes_temp(saved, monkeypatch):
    target, before, changed = saved

    def fail(src, dst):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(model_io.os, "replace", fail)
    with pytest.raises(OSError):
        save_model(changed, target)
    assert target.read_bytes() == before
    _only_target_left(target)


def test_disk_full_during_write_keeps_old_file_and_removes_temp(saved, monkeypatch):
    target, before, changed = saved
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half the bytes, then fails like a full disk."""

        def __init__(self, fh):
            self._fh = fh

        def write(self, data):
            self._fh.write(data[: len(data) // 2])
            self._fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

    monkeypatch.setattr(model_io.os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="No space left"):
        save_model(changed, target)
    assert target.read_bytes() == before
    _only_target_left(target)


def test_failed_fsync_keeps_old_file(saved, monkeypatch):
    target, before, changed = saved

    def fail(fd):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(model_io.os, "fsync", fail)
    with pytest.raises(OSError):
        save_model(changed, target)
    assert target.read_bytes() == before
    _only_target_left(target)


def test_interrupt_during_save_removes_temp(saved, monkeypatch):
    target, before, changed = saved

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(model_io.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_model(changed, target)
    assert target.read_bytes() == before
    _only_target_left(target)


def test_save_into_missing_folder_fails_cleanly(tmp_path):
    with pytest.raises(FileNotFoundError):
        save_model(small_model(), tmp_path / "no" / "such" / "m.tcm.json")
    assert list(tmp_path.iterdir()) == []


def test_save_keeps_permissions_and_symlinks(tmp_path):
    real = tmp_path / "real.tcm.json"
    link = tmp_path / "link.tcm.json"
    save_model(small_model(), real)
    os.chmod(real, 0o640)
    link.symlink_to(real)
    changed = small_model().replace(info={"name": "Via link"})
    save_model(changed, link)
    assert link.is_symlink(), "saving through a link keeps the link"
    assert load_model(real) == changed
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_new_file_gets_normal_permissions(tmp_path):
    umask = os.umask(0o022)
    try:
        save_model(small_model(), tmp_path / "new.tcm.json")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "new.tcm.json").stat().st_mode) == 0o644


def test_a_name_near_the_file_system_limit_can_be_saved(tmp_path):
    target = tmp_path / ("n" * 246 + ".tcm.json")  # 255 bytes: the longest name most file systems allow
    save_model(small_model(), target)
    save_model(small_model().replace(info={"name": "Again"}), target)
    assert load_model(target).info.name == "Again"
    _only_target_left(target)
