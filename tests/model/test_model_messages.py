"""Problem wording and locations: JSON paths, one-line output, pydantic errors in plain words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.model import ModelError, load_model, parse_model
from app.model.jsonscan import find_json_problem
from app.model.messages import describe, error_message
from app.model.problems import Problem, json_path, one_line

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "malformed"


@pytest.mark.parametrize(
    "loc, expected",
    [
        (("flows", 3, "target"), "flows[3].target"),
        (("layout", "elements", "svc.api", "x"), 'layout.elements["svc.api"].x'),
        (("reviews", "a b"), 'reviews["a b"]'),
        (("reviews", 'q"uote'), 'reviews["q\\"uote"]'),
        (("reviews", "x" * 61), 'reviews["' + "x" * 60 + '…"]'),
        ((0, "a"), "[0].a"),
        ((), ""),
    ],
)
def test_json_path(loc, expected):
    assert json_path(loc) == expected


def test_problem_is_always_one_line():
    p = Problem("dir\nname.tcm.json", "a\rb", "bad\u2028news\x1b[31m")
    assert str(p) == "dir\\nname.tcm.json: a\\rb: bad\\u2028news\\u001b[31m"
    assert "\n" not in str(p)
    assert one_line("plain text — ünïcødé 🛡") == "plain text — ünïcødé 🛡"


def test_problem_without_location_or_file():
    assert str(Problem("f", "", "gone")) == "f: gone"
    assert str(Problem("", "info.name", "bad")) == "info.name: bad"


@pytest.mark.parametrize(
    "value, words",
    [(None, "null"), (True, "true"), (False, "false"), ("", "an empty string"), ("abc", 'the string "abc"'),
     (3, "the number 3"), (2.5, "the number 2.5"), ([1], "an array"), ({}, "an object"),
     ("x" * 50, 'the string "' + "x" * 40 + '…"')],
)
def test_describe(value, words):
    assert describe(value) == words


def test_unknown_error_types_fall_back_to_pydantic_words_lowercased():
    assert error_message({"type": "brand_new", "msg": "Something odd", "input": 1}) == "something odd"


def _problems(data: dict) -> list[Problem]:
    base = {"format": "threatcanvas", "schema_version": 1}
    with pytest.raises(ModelError) as info:
        parse_model(json.dumps({**base, **data}).encode(), "t.tcm.json")
    return info.value.problems


def test_several_problems_are_all_reported_in_file_order():
    problems = _problems({
        "info": {"name": 1, "date": "soon"},
        "elements": [{"id": "a", "name": "A", "kind": "actor", "properties": {"human": "no", "colour": 1}}],
    })
    assert [(p.location, p.message) for p in problems] == [
        ("info.name", "expected text, found the number 1"),
        ("info.date", '"soon" is not a date in YYYY-MM-DD form'),
        ("elements[0].properties.human", 'expected true or false, found the string "no"'),
        ("elements[0].properties.colour", "unknown key"),
    ]


def test_no_corpus_message_is_pydantic_programmer_speak():
    """Every corpus file's messages are our own sentences, never pydantic's defaults."""
    seen = 0
    for path in sorted(CORPUS.glob("*.tcm.json")):
        try:
            load_model(path, known_controls=())
        except ModelError as exc:
            for problem in exc.problems:
                seen += 1
                text = str(problem)
                for jargon in ("Input should", "instance of", "Value error", "[key]", "union", "tagged"):
                    assert jargon not in text, text
                assert problem.location or problem.message.startswith(
                    ("file is", "the file is", "expected a JSON object")), text
    assert seen >= 80


# ------------------------------------------------------------------ jsonscan
@pytest.mark.parametrize(
    "text, location, message",
    [
        ('{"a": [{"x": 1}, {"y": 1, "y": 2}]}', "a[1].y", 'duplicate key "y"'),
        ('{"s": "NaN Infinity", "v": [1, NaN]}', "v[1]", "NaN is not allowed"),
        ('{"v": [-Infinity]}', "v[0]", "-Infinity is not allowed"),
        ('{"a\\"b": 1, "a\\"b": 2}', '["a\\"b"]', 'duplicate key "a\\"b"'),
        ('{"\\u0061": 1, "a": 2}', "a", 'duplicate key "a"'),
        ('{"a": 1,\n "a": 2}', "a", 'duplicate key "a"'),
        ("NaN", "line 1, column 1", "NaN is not allowed"),
        ('{"k": {"a": 1}, "k": 2}', "k", 'duplicate key "k"'),
        ('{"n": [1.5, 0.' + "1" * 300 + ", -" + "7" * 101 + "]}", "n[2]", "number with 101 digits is too large"),
        ('{"n": ' + "9" * 5000 + "}", "n", "number with 5,000 digits is too large"),
    ],
)
def test_find_json_problem(text, location, message):
    spot = find_json_problem(text)
    assert spot is not None
    assert spot.location == location
    assert message in spot.message


def test_find_json_problem_reports_line_and_column():
    spot = find_json_problem('{\n  "a": 1,\n  "a": 2\n}')
    assert (spot.line, spot.column) == (3, 3)


def test_find_json_problem_is_iterative():
    depth = 50_000  # far beyond the recursion limit
    spot = find_json_problem("[" * depth + "NaN" + "]" * depth)
    assert spot is not None and spot.path == "[0]" * depth


def test_find_json_problem_on_clean_text_is_none():
    assert find_json_problem('{"a": [1, 2, {"b": "NaN"}], "c": "Infinity"}') is None
    long_but_fine = '{"a": [' + "9" * 100 + ", 1e" + "0" * 300 + ", 0." + "5" * 300 + '], "s": "' + "7" * 500 + '"}'
    assert find_json_problem(long_but_fine) is None
    assert parse_model(b'{"format": "threatcanvas", "schema_version": 1, "layout": {"elements": {}}}')


def test_duplicate_key_and_nan_locations_through_the_loader():
    text = '{"format": "threatcanvas", "schema_version": 1, "info": {"name": "n", "name": "m"}}'
    with pytest.raises(ModelError) as info:
        parse_model(text.encode(), "d.tcm.json")
    assert str(info.value.problems[0]) == 'd.tcm.json: info.name: duplicate key "name"'
