"""A hostile model cannot change the report: its strings print literally, open nothing, run nothing.

Every free-text field of the model (found from the schema) and of every
finding holds reportlab markup, a CVE-2023-33733 payload, an ``<img>`` tag
pointing at an existing image, links, entities, control characters or a
10,000-character string.
"""

from __future__ import annotations

import builtins
import io
import re

import pytest
import reportlab.lib.utils as rl_utils
from PIL import Image

from app.model import load_model
from app.report import build_report
from app.report.fonts import register_fonts
from app.report.standards import load_standards
from app.resources import example_files

from report_support import fake_result, needs_poppler, pdftotext, poison


def cve_2023_33733(marker) -> str:
    # the published proof of concept, aimed at a file in the test's tmp folder
    return (
        "<para><font color=\"[ [ getattr(pow,Word('__globals__'))['os'].system('touch " + str(marker) + "') "
        "for Word in [orgTypeFun('Word', (str,), { 'mutated': 1, 'startswith': lambda self, x: False, "
        "'__eq__': lambda self,x: self.mutate() and self.mutated < 0 and str(self) == x, "
        "'mutate': lambda self: {setattr(self, 'mutated', self.mutated - 1)}, "
        "'__hash__': lambda self: hash(str(self)) })] ] for orgTypeFun in [type(type(1))] ] and 'red'\">"
        "exploit</font></para>"
    )


def payloads(tmp_path) -> tuple[list[str], list[str]]:
    """(all payloads, the short ones that must appear verbatim in the text)."""
    image = tmp_path / "logo.png"
    Image.new("RGB", (8, 8), "red").save(image)
    literal = [
        "<b>bold?</b> <i>italic?</i> <u>u</u> <strike>s</strike>",
        f'<img src="{image}" width="200" height="200"/> after-img',
        '<a href="https://example.com/steal">click</a> <link href="file:///etc/passwd">l</link>',
        '<font name="Courier" size="40" color="red">big</font> <br/> <para> <seq id="x"/>',
        "&amp; &lt; &#60; &nbsp; &bogus; ]]> <!-- c --> <![CDATA[x]]> \\ ( ) %PDF",
        "ctl\x00\x01\x07\x1b[31m\x7f\x85 tail",
    ]
    long = ["W" * 10_000, ("word " * 2_000).strip()]
    return literal + [cve_2023_33733(tmp_path / "pwned")] + long, literal


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def guarded(monkeypatch):
    """Record every file reportlab or Python opens, and fail any image load."""
    register_fonts()
    load_standards()  # bundled data is read before the guard goes up
    opened: list = []
    real_open = builtins.open

    def spy_open(file, *args, **kwargs):
        opened.append(file)
        return real_open(file, *args, **kwargs)

    def spy_open_for_read(name, *args, **kwargs):
        opened.append(name)
        raise AssertionError(f"reportlab tried to open {name!r}")

    def no_images(self, *args, **kwargs):
        raise AssertionError("reportlab tried to read an image")

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(rl_utils, "open_for_read", spy_open_for_read)
    monkeypatch.setattr(rl_utils.ImageReader, "__init__", no_images)
    return opened


@needs_poppler
@pytest.mark.parametrize("engine", ["hand-made findings", "analysis engine"])
def test_hostile_strings_print_literally_and_open_or_run_nothing(engine, tmp_path, guarded, monkeypatch, epoch):
    everything, literal = payloads(tmp_path)
    base = load_model(example_files()[0])
    if engine == "analysis engine":
        from app.analysis import analyze

        # review decisions keyed by real finding ids, so justifications and owners print too
        ids = [f.id for f in analyze(base).findings]
        model = poison(base, everything, review_ids=ids)
        result = analyze(model)
        assert any(f.justification for f in result.findings)
    else:
        model = poison(base, everything, review_ids=["R-1"])
        result = fake_result(model, text=literal[0] + " " + literal[2])
    buffer = io.BytesIO()
    guarded.clear()  # count only what the build opens
    stats = build_report(model, result, buffer, model_sha256="f" * 64)
    monkeypatch.undo()  # guard down: now we may write and read files

    assert guarded == [], f"files opened during the build: {guarded}"
    assert not (tmp_path / "pwned").exists(), "the CVE-2023-33733 payload ran"
    data = buffer.getvalue()
    # no images, no external links, no scripts, no attachments: only text and vector drawing
    # (form XObjects are ours: the page total and the contents' page numbers)
    # (compressed streams are binary and may hold any bytes: look at the object dictionaries only)
    dicts = re.sub(rb"stream\r?\n.*?endstream", b"", data, flags=re.S)
    bad = re.findall(rb"/(Image|URI|Launch|JavaScript|JS|EmbeddedFile|GoToR|SubmitForm|ImportData)\b", dicts)
    assert not bad, bad
    assert stats.pages < 400  # 10,000-character strings are clipped, not printed page after page

    out = tmp_path / "hostile.pdf"
    out.write_bytes(data)
    text = pdftotext(out)
    flat = squash(text)
    for p in literal[:-1]:
        assert squash(p) in flat, p
    # control characters print as U+FFFD, never raw
    assert squash("ctl\ufffd\ufffd\ufffd\ufffd[31m\ufffd\ufffd tail") in flat
    assert "\x1b" not in text and "\x00" not in text
    # the CVE payload is printed as text
    assert squash("getattr(pow,Word('__globals__'))['os'].system(") in flat
    # long strings are cut with a note, not dropped
    assert "more characters]" in text
    assert "W" * 150 in flat


def _long_everywhere(payload: list[str], text: str) -> int:
    model = poison(load_model(example_files()[0]), payload)
    result = fake_result(model, text=text)
    buffer = io.BytesIO()
    stats = build_report(model, result, buffer)
    assert buffer.getvalue().startswith(b"%PDF-")
    return stats.pages


def test_unbroken_10000_character_strings_in_every_field_lay_out(epoch):
    assert 5 < _long_everywhere(["x" * 10_000, ("word " * 2_000).strip()], "y" * 10_000) < 400


@pytest.mark.slow
def test_10000_character_cjk_and_cyrillic_strings_in_every_field_lay_out(epoch):
    assert 5 < _long_everywhere(["模" * 10_000, "Ж" * 10_000], "模" * 10_000) < 400
