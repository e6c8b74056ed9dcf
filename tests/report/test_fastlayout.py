"""The fast text and table engine: wrapping, splitting, laziness."""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from app.report.fastlayout import FastTable, LazyRows, Row, Run, TextBlock, header_row, layout, text_width
from app.report.fonts import COND, register_fonts


def _text(lines) -> str:
    return "".join(seg[3] for line in lines for seg in line.segments)


def test_lines_fit_the_width_and_keep_every_character():
    register_fonts()
    text = "The quick brown fox jumps over the lazy dog. " * 20 + "x" * 700 + " tail"
    lines = layout([Run(text)], 120)
    assert len(lines) > 10
    for line in lines:
        assert text_width(_text([line]).rstrip(), COND, 7.5) <= 120.01
    assert _text(lines).replace(" ", "") == text.replace(" ", "")


def test_hard_breaks_and_styles_survive():
    lines = layout([Run("first"), Run(" bold\nsecond", "TCCond-Bold")], 500)
    assert [_text([line]) for line in lines] == ["first bold", "second"]
    assert lines[0].segments[0][0] == COND and lines[0].segments[-1][0] == "TCCond-Bold"


def _rows(n: int, words: int = 3) -> list[Row]:
    return [Row([[Run(f"r{i}")], [Run(" ".join(["word"] * words))]]) for i in range(n)]


def _split_all(table: FastTable, width: float, height: float) -> list[FastTable]:
    parts, pending = [], [table]
    while pending:
        t = pending.pop(0)
        _, h = t.wrap(width, height)
        if h <= height:
            parts.append(t)
            continue
        pieces = t.split(width, height)
        assert pieces, "a table must always be splittable on an empty page"
        parts.append(pieces[0])
        pending[:0] = pieces[1:]
    return parts


def _row_labels(part: FastTable) -> list[str]:
    from app.report.fastlayout import _indices

    laid = part._laid
    return [_text(laid.cells[i][0]) for i in _indices(part._segments)]


def test_a_long_table_splits_into_pages_that_hold_every_row_once_with_the_header_repeated():
    rows = [header_row("Ref", "Text")] + _rows(500)
    parts = _split_all(FastTable([30, None], rows, repeat=1), 300, 200)
    assert len(parts) > 10
    seen = []
    for part in parts:
        labels = _row_labels(part)
        assert labels[0] == "Ref"  # header on every page
        seen += labels[1:]
        assert part.height <= 200
    assert seen == [f"r{i}" for i in range(500)]


def test_lazy_rows_are_made_only_as_pages_need_them():
    made = []

    def make(i):
        made.append(i)
        return Row([[Run(f"r{i}")], [Run("text")]])

    table = FastTable([30, None], LazyRows(list(range(5000)), make))
    first, rest = table.split(300, 200)
    assert len(made) < 200  # a page's worth (plus a small read-ahead), not 5,000
    assert _row_labels(first)[0] == "r0"


def test_a_row_taller_than_the_page_is_split_between_lines():
    tall = Row([[Run("cell")], [Run(" ".join(f"w{i}" for i in range(3000)))]])
    parts = _split_all(FastTable([30, None], [tall]), 300, 200)
    assert len(parts) > 3
    words = " ".join(" ".join(_text(part._laid.cells[i][1]) for i in range(len(part._laid.heights))
                              if (i, i + 1) in part._segments) for part in parts)
    assert "w0" in words and "w2999" in words


def test_drawing_writes_text_operators_and_leaves_the_canvas_state_alone():
    register_fonts()
    buf = io.BytesIO()
    canvas = Canvas(buf)
    canvas.setFillColorRGB(0.1, 0.2, 0.3)
    block = TextBlock([Run("Hello (world) \\ ünïcode 模型")])
    block.wrap(300, 100)
    block.drawOn(canvas, 10, 700)
    table = FastTable([40, None], [header_row("a", "b")] + _rows(3))
    table.wrap(300, 500)
    table.drawOn(canvas, 10, 500)
    code = "\n".join(canvas._code)
    tokens = code.split()
    assert "Tj" in tokens
    # every block saves and restores the graphics state, so the canvas's own colour and font stay valid
    assert tokens.count("q") == tokens.count("Q") > 0 and tokens.count("BT") == tokens.count("ET")
    assert "(Hello \\(world\\) \\\\ " in code  # PDF string escaping of ( ) and backslash
    canvas.save()
    assert buf.getvalue().startswith(b"%PDF")
