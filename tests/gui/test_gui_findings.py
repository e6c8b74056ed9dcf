"""The findings panel: selecting a finding highlights its flow and path; filters; review edits are commands."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from app.analysis.findings import Severity
from app.gui.findings_model import FINDING_ROLE, SEVERITY, STATUS, TITLE
from app.model.types import ReviewStatus
from app.resources import examples_dir


def open_example(window, name="rag-support-assistant.tcm.json"):
    assert window.open_path(str(examples_dir() / name))
    return window.document.model


def click_row(panel, row: int) -> None:
    table = panel.table
    rect = table.visualRect(panel.proxy.index(row, 2))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, rect.center())


def test_selecting_a_finding_selects_and_highlights_its_flow_and_path(window):
    model = open_example(window)
    panel = window.findings
    assert panel.proxy.rowCount() == len(model.flows)  # the fake analysis: one finding per flow
    click_row(panel, 3)
    finding = panel.current_finding()
    assert finding is not None
    scene = window.canvas.scene
    assert window.selection.ids() == [finding.anchor]
    assert scene.flows[finding.anchor].isSelected()
    assert scene.highlighted_ids() == {finding.anchor, *finding.path}
    assert scene.flows[finding.anchor].highlighted
    assert all(scene.nodes[e].highlighted for e in finding.path if e in scene.nodes)
    others = [f for f in scene.flows if f not in finding.path and f != finding.anchor]
    assert others and not any(scene.flows[f].highlighted for f in others)
    # the details explain it, with the description shown as text, never as markup
    assert "&lt;b&gt;not markup&lt;/b&gt;" in panel.details.toHtml() or "<b>not markup</b>" in panel.details.toPlainText()
    # another finding moves the highlight; clicking empty canvas clears it
    click_row(panel, 0)
    second = panel.current_finding()
    assert scene.highlighted_ids() == {second.anchor, *second.path}
    QTest.mouseClick(window.canvas.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     window.canvas.view.mapFromScene(-900, -900))
    assert scene.highlighted_ids() == set()


def test_keyboard_moves_through_findings(window):
    open_example(window)
    panel = window.findings
    click_row(panel, 0)
    first = panel.current_finding()
    QTest.keyClick(panel.table, Qt.Key.Key_Down)
    assert panel.current_finding() != first
    assert window.selection.ids() == [panel.current_finding().anchor]


def test_sorting_by_severity_and_filters(window):
    open_example(window)
    panel = window.findings
    rows = [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]
    risks = [f.residual.risk for f in rows]
    assert risks == sorted(risks, reverse=True)
    header = panel.table.horizontalHeader()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(header.sectionViewportPosition(SEVERITY) + 10, header.height() // 2))
    rows = [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]
    assert [f.residual.risk for f in rows] == sorted(risks)

    def choose(combo, data):
        combo.setFocus()
        QTest.keyClick(combo, Qt.Key.Key_Home)
        for _ in range(combo.findData(data)):
            QTest.keyClick(combo, Qt.Key.Key_Down)

    total = panel.proxy.rowCount()
    choose(panel.severity_filter, Severity.CRITICAL)
    shown = [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown and all(f.residual.severity is Severity.CRITICAL for f in shown) and len(shown) < total
    choose(panel.severity_filter, "")
    choose(panel.standard_filter, "OWASP LLM 2025")
    shown = [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown and all(any(o.startswith("LLM") for o in f.owasp) for f in shown) and len(shown) < total
    choose(panel.standard_filter, "")
    choose(panel.family_filter, "poisoning")
    shown = [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown and {f.family for f in shown} == {"poisoning"}
    # families read as words in the filter and the table, not as library ids
    assert panel.family_filter.currentText() == "Poisoning"
    family_col = next(c for c in range(panel.proxy.columnCount())
                      if panel.proxy.headerData(c, Qt.Orientation.Horizontal) == "Family")
    assert {panel.proxy.index(r, family_col).data() for r in range(panel.proxy.rowCount())} == {"Poisoning"}
    choose(panel.family_filter, "prompt_injection")
    assert panel.family_filter.currentText() == "Prompt injection"
    choose(panel.family_filter, "")
    QTest.keyClicks(panel.search, "refund")
    shown = [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]
    assert shown and all("refund" in (f.title + panel.model.where(f)).lower() for f in shown)


def click_header(panel, column: int) -> None:
    header = panel.table.horizontalHeader()
    QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(header.sectionViewportPosition(column) + 10, header.height() // 2))


def shown_findings(panel):
    return [panel.proxy.index(r, 0).data(FINDING_ROLE) for r in range(panel.proxy.rowCount())]


def test_sorting_keeps_the_current_finding_and_the_order_of_ties_and_follows_reviews(window):
    open_example(window)
    panel = window.findings
    click_header(panel, TITLE)
    titles = [f.title.lower() for f in shown_findings(panel)]
    assert titles == sorted(titles)
    click_row(panel, 3)
    current = panel.current_finding()
    click_header(panel, TITLE)  # again: descending, and the current finding stays current
    assert [f.title.lower() for f in shown_findings(panel)] == sorted(titles, reverse=True)
    assert panel.current_finding() == current
    assert panel.table.currentIndex().row() == shown_findings(panel).index(current)
    # by status: all open, so the rows keep their order; a review moves its finding up at once
    before = shown_findings(panel)
    click_header(panel, STATUS)
    assert shown_findings(panel) == before
    panel.status_edit.setFocus()
    QTest.keyClick(panel.status_edit, Qt.Key.Key_Home)
    for _ in range(panel.status_edit.findData(ReviewStatus.ACCEPTED)):
        QTest.keyClick(panel.status_edit, Qt.Key.Key_Down)
    assert shown_findings(panel)[0].id == current.id  # "accepted" sorts before "open"
    assert [f.id for f in shown_findings(panel)[1:]] == [f.id for f in before if f.id != current.id]


def test_review_edits_are_undoable_commands_and_filterable(window):
    open_example(window)
    panel = window.findings
    click_row(panel, 0)
    f = panel.current_finding()
    doc = window.document
    count = doc.undo_stack.count()
    panel.status_edit.setFocus()
    QTest.keyClick(panel.status_edit, Qt.Key.Key_Home)
    for _ in range(panel.status_edit.findData(ReviewStatus.ACCEPTED)):
        QTest.keyClick(panel.status_edit, Qt.Key.Key_Down)
    assert doc.model.reviews[f.id].status is ReviewStatus.ACCEPTED
    assert doc.model.reviews[f.id].fingerprint == f.fingerprint
    QTest.mouseClick(panel.owner_edit, Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.owner_edit, "K. Tanaka")
    QTest.keyClick(panel.owner_edit, Qt.Key.Key_Return)
    QTest.mouseClick(panel.justification_edit.viewport(), Qt.MouseButton.LeftButton)
    QTest.keyClicks(panel.justification_edit, "Refunds are capped at EUR 500.")
    QTest.keyClick(panel.justification_edit, Qt.Key.Key_Tab)
    record = doc.model.reviews[f.id]
    assert (record.owner, record.justification) == ("K. Tanaka", "Refunds are capped at EUR 500.")
    assert doc.undo_stack.count() > count
    # the table shows the recorded status at once, and the status filter finds it
    row = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(f.id), 5))
    assert row.data() == "accepted"
    panel.status_filter.setFocus()
    QTest.keyClick(panel.status_filter, Qt.Key.Key_Home)
    for _ in range(panel.status_filter.findData(ReviewStatus.ACCEPTED)):
        QTest.keyClick(panel.status_filter, Qt.Key.Key_Down)
    assert panel.proxy.rowCount() == 1
    # undo takes the review back (one step per committed change)
    while f.id in doc.model.reviews:
        window.actions.undo.trigger()
    assert panel.proxy.rowCount() == 0


def test_badges_follow_the_analysis_and_can_be_hidden(window):
    open_example(window)
    scene = window.canvas.scene
    with_badges = [fid for fid, item in scene.flows.items() if item.badge is not None]
    assert len(with_badges) == len(scene.flows)
    worst = max(window.result.findings, key=lambda f: f.residual.risk)
    assert scene.flows[worst.anchor].badge.severity is worst.residual.severity
    QTest.keyClick(window.canvas.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert not any(item.annotations_visible for item in scene.flows.values())
