"""Review state: decisions recorded against stable ids, re-review when inputs change."""

from __future__ import annotations

from app.analysis import analyze
from app.model.types import ReviewStatus


def _review(model, fid, fingerprint, status="mitigated"):
    return model.replace(
        reviews={
            **{k: v.model_dump() for k, v in model.reviews.items()},
            fid: {"status": status, "justification": "Labels double-checked weekly", "owner": "fraud-ml",
                  "date": "2025-11-20", "fingerprint": fingerprint},
        }
    )


def _finding(result, fid):
    return next(f for f in result.findings if f.id == fid)


def test_a_review_is_joined_to_its_finding(examples, library):
    model = examples["fraud"]
    fid = "label-poisoning@analysts"
    fp = _finding(analyze(model, library), fid).fingerprint
    assert len(fp) == 32 and int(fp, 16) >= 0
    result = analyze(_review(model, fid, fp), library)
    f = _finding(result, fid)
    assert f.status is ReviewStatus.MITIGATED
    assert (f.owner, f.review_date, f.justification) == ("fraud-ml", "2025-11-20", "Labels double-checked weekly")
    assert not f.needs_rereview
    assert f not in result.open_findings
    assert result.orphan_reviews == ()


def test_a_changed_input_flags_the_finding_for_rereview(examples, library):
    model = examples["fraud"]
    fid = "label-poisoning@analysts"
    fp = _finding(analyze(model, library), fid).fingerprint
    reviewed = _review(model, fid, fp)
    # the labels flow gets a different property: an input of the finding changed
    flows = [f.model_dump() for f in reviewed.flows]
    for f in flows:
        if f["id"] == "f10":
            f["properties"]["authenticated"] = False
    changed = reviewed.replace(flows=flows)
    f = _finding(analyze(changed, library), fid)
    assert f.status is ReviewStatus.MITIGATED and f.needs_rereview
    assert f in analyze(changed, library).open_findings


def test_renaming_an_element_keeps_the_review_valid(examples, library):
    model = examples["fraud"]
    fid = "label-poisoning@analysts"
    fp = _finding(analyze(model, library), fid).fingerprint
    reviewed = _review(model, fid, fp)
    elements = [e.model_dump() for e in reviewed.elements]
    for e in elements:
        if e["id"] == "analysts":
            e["name"] = "Fraud operations team"
    f = _finding(analyze(reviewed.replace(elements=elements), library), fid)
    assert "Fraud operations team" in f.rationale
    assert not f.needs_rereview


def test_reviews_of_findings_that_no_longer_fire_are_reported(examples, library):
    model = _review(examples["fraud"], "evasion@gone", "ab" * 16)
    assert analyze(model, library).orphan_reviews == ("evasion@gone",)


def test_a_review_without_fingerprint_is_not_flagged(examples, library):
    model = _review(examples["fraud"], "label-poisoning@analysts", "")
    f = _finding(analyze(model, library), "label-poisoning@analysts")
    assert f.status is ReviewStatus.MITIGATED and not f.needs_rereview
