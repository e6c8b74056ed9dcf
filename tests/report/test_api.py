"""The renderer API the editor uses: progress, cancellation, atomic output, metadata."""

from __future__ import annotations

import io

import pytest

from app.model import load_model
from app.report import ReportCancelled, ReportRenderer, build_report
from app.resources import example_files

from report_support import fake_result


def test_progress_rises_to_one_and_cancelling_leaves_no_file(tmp_path, epoch):
    model = load_model(example_files()[0])
    result = fake_result(model)
    seen: list[float] = []
    build_report(model, result, io.BytesIO(), progress=lambda fraction, message: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 3

    out = tmp_path / "cancelled.pdf"
    out.write_bytes(b"old")

    def cancel(fraction: float, message: str) -> None:
        if fraction > 0.2:
            raise ReportCancelled()

    with pytest.raises(ReportCancelled):
        build_report(model, result, out, progress=cancel)
    assert out.read_bytes() == b"old"  # never half-written
    assert not list(tmp_path.glob(".cancelled.pdf.*"))  # no temporary file left behind


def test_pdf_metadata_and_dates_come_from_the_model_and_the_epoch(epoch):
    model = load_model(example_files()[0])
    data, stats = ReportRenderer(model, fake_result(model), model_sha256="ab" * 32).render_bytes()
    assert b"D:20260101000000" in data
    assert b"ThreatCanvas" in data  # creator
    assert stats.pages > 5 and stats.size == len(data)


def test_a_subclass_can_drop_sections_through_the_hook(epoch):
    model = load_model(example_files()[0])

    class SummaryOnly(ReportRenderer):
        def sections(self):
            return super().sections()[:3]  # cover, contents, executive summary

    _, full = ReportRenderer(model, fake_result(model)).render_bytes()
    _, short = SummaryOnly(model, fake_result(model)).render_bytes()
    assert short.pages < full.pages
