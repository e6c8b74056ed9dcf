"""The PDF assessment (Qt-free): reportlab platypus, vector diagram, reproducible bytes.

Two entry points:

* :func:`build_report` renders an already analysed model (what the editor does
  in its background worker, with a progress callback);
* :func:`render_report` loads a model file, analyses it with the bundled (and
  any extra) threat library and renders it (what ``threatcanvas report`` does).

With ``SOURCE_DATE_EPOCH`` set, the same inputs give byte-identical PDFs.
Every string from the model is escaped before it reaches reportlab's markup
parser (see :mod:`app.report.text`).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import BinaryIO, Iterable

from app.analysis.findings import AnalysisResult
from app.model import ThreatModel
from app.report.doc import ReportCancelled
from app.report.renderer import Progress, ReportRenderer, ReportStats, source_date_epoch, summary_line

__all__ = [
    "build_report",
    "render_report",
    "ReportRenderer",
    "ReportStats",
    "ReportCancelled",
    "source_date_epoch",
    "summary_line",
]


def build_report(model: ThreatModel, result: AnalysisResult, out: str | os.PathLike | BinaryIO, *,
                 model_sha256: str = "", library_version: str | None = None, controls=None,
                 epoch: int | None = None, progress: Progress | None = None) -> ReportStats:
    """Render the assessment of ``model`` with its analysis ``result`` to ``out``.

    ``out`` is a path (written atomically) or a binary file object.
    ``model_sha256`` is the digest of the model file as assessed (shown on the
    cover and in every footer). ``controls`` (a :class:`ControlCatalogue`)
    supplies control descriptions for the mitigation plan. ``epoch`` fixes the
    creation date (default: ``SOURCE_DATE_EPOCH``, else now). ``progress(fraction,
    message)`` is called during the build and may raise :class:`ReportCancelled`.
    """
    renderer = ReportRenderer(model, result, model_sha256=model_sha256, library_version=library_version,
                              controls=controls, epoch=epoch, progress=progress)
    return renderer.render(out)


def render_report(model_path: str | os.PathLike, out: str | os.PathLike | BinaryIO,
                  library_dirs: Iterable[str | os.PathLike] = (), *, progress: Progress | None = None,
                  ) -> tuple[ThreatModel, AnalysisResult, ReportStats]:
    """Load, analyse and render the model file at ``model_path``.

    The SHA-256 on the report is that of the exact bytes analysed. Raises
    :class:`app.model.ModelError` for a bad model or library file.
    """
    from app.analysis import analyze
    from app.knowledge import load_controls, load_library
    from app.model.io import MAX_FILE_BYTES, parse_model

    dirs = [str(d) for d in library_dirs]
    library = load_library(dirs)
    controls = load_controls(dirs)
    path = Path(model_path)
    data = _read_limited(path, MAX_FILE_BYTES)
    model = parse_model(data, str(model_path), known_controls=controls.ids())
    result = analyze(model, library=library)
    stats = build_report(model, result, out, model_sha256=hashlib.sha256(data).hexdigest(),
                         controls=controls, progress=progress)
    return model, result, stats


def _read_limited(path: Path, limit: int) -> bytes:
    from app.model import ModelError, Problem

    try:
        size = path.stat().st_size
        if size > limit:
            raise ModelError([Problem(str(path), "", f"file is {size:,} bytes; the limit is {limit:,} bytes")])
        with open(path, "rb") as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        raise ModelError([Problem(str(path), "", f"cannot read file: {exc.strerror or exc}")]) from None
