"""The findings panel: the analysis's findings, sortable and filterable, with their review.

Selecting a finding emits :attr:`FindingsPanel.finding_selected`; the main
window then selects and highlights its anchor and witness path on the canvas.
Below the table, the selected finding's explanation (why it fired, factors,
business impact, mitigations) and its review: status, justification and owner
are edited here and recorded as one ``SetReviewCommand`` each, on a committed
change only.
"""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtCore import QItemSelectionModel, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.analysis.findings import AnalysisResult, Finding, Severity
from app.document.commands import CommandError, SetReviewCommand
from app.gui.field_editors import _CommittingPlainText
from app.gui.findings_model import FINDING_ROLE, STANDARDS, family_label, FindingsFilter, FindingsModel, RISK, SEVERITY, TITLE
from app.model.types import ReviewStatus


class FindingsPanel(QWidget):
    """Table of findings with filters, the selected finding's details, and its review editors."""

    finding_selected = Signal(object)  # Finding or None
    refused = Signal(str)

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.setObjectName("findings-panel")
        self.setAccessibleName("Findings")
        self.document = document
        self.model = FindingsModel(document, self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)
        self._current: Finding | None = None

        self.severity_filter = self._combo("filter-severity", "Severity filter",
                                           [("All severities", "")] + [(s.label, s) for s in reversed(Severity)])
        self.status_filter = self._combo("filter-status", "Status filter",
                                         [("All statuses", "")] + [(s.label.capitalize(), s) for s in ReviewStatus])
        self.family_filter = self._combo("filter-family", "Family filter", [("All families", "")])
        self.standard_filter = self._combo("filter-standard", "Standard filter",
                                           [("All standards", "")] + [(k, k) for k in STANDARDS])
        self.search = QLineEdit()
        self.search.setObjectName("filter-text")
        self.search.setPlaceholderText("Search findings")
        self.search.setAccessibleName("Search findings")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))

        self.table = QTableView()
        self.table.setObjectName("findings-table")
        self.table.setAccessibleName("Findings table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(SEVERITY, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(SEVERITY, 70)
        header.resizeSection(RISK, 60)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)

        self.details = QTextBrowser()
        self.details.setObjectName("finding-details")
        self.details.setAccessibleName("Finding details")
        self.details.setOpenLinks(False)
        self.status_edit = QComboBox()
        self.status_edit.setObjectName("review-status")
        self.status_edit.setAccessibleName("Review status")
        for s in ReviewStatus:
            self.status_edit.addItem(s.label.capitalize(), s)
        self.status_edit.activated.connect(lambda i: self._commit_review(status=ReviewStatus(self.status_edit.itemData(i))))
        self.owner_edit = QLineEdit()
        self.owner_edit.setObjectName("review-owner")
        self.owner_edit.setAccessibleName("Owner")
        self.owner_edit.editingFinished.connect(lambda: self._commit_review(owner=self.owner_edit.text()))
        self.justification_edit = _CommittingPlainText()
        self.justification_edit.setObjectName("review-justification")
        self.justification_edit.setAccessibleName("Justification")
        self.justification_edit.setTabChangesFocus(True)
        self.justification_edit.setFixedHeight(56)
        self.justification_edit.left.connect(
            lambda: self._commit_review(justification=self.justification_edit.toPlainText())
        )

        filters = QHBoxLayout()
        for w in (self.severity_filter, self.status_filter, self.family_filter, self.standard_filter):
            filters.addWidget(w)
        filters.addWidget(self.search, 1)
        review = QWidget()
        form = QFormLayout(review)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Status", self.status_edit)
        form.addRow("Owner", self.owner_edit)
        form.addRow("Justification", self.justification_edit)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.details, 1)
        lower_layout.addWidget(review)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.table)
        split.addWidget(lower)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        self._set_review_enabled(False)
        document.reviews_changed.connect(self._show_review)

    def _combo(self, name: str, accessible: str, items) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        for text, data in items:
            combo.addItem(text, data)
        combo.activated.connect(self._on_filter_changed)
        return combo

    # ------------------------------------------------------------ result
    def set_result(self, result: AnalysisResult | None) -> None:
        """Show a new analysis result, keeping the selected finding (by id) when it is still there."""
        if result is not None and self.model.findings() == result.findings and self.model.findings():
            return  # same findings again (an edit that changed nothing the engine looks at)
        keep = self._current.id if self._current is not None else None
        self.model.set_result(result)
        families = sorted({f.family for f in self.model.findings()})
        chosen = self.family_filter.currentData()
        with QSignalBlocker(self.family_filter):
            self.family_filter.clear()
            self.family_filter.addItem("All families", "")
            for fam in families:
                self.family_filter.addItem(family_label(fam), fam)
            self.family_filter.setCurrentIndex(max(0, self.family_filter.findData(chosen)))
        self._current = None
        if keep is not None and self.select_finding(keep, emit=False):
            return
        self._show_details(None)

    def select_finding(self, finding_id: str, emit: bool = True) -> bool:
        """Select the finding with this id in the table (clearing filters that hide it)."""
        row = self.model.row_of(finding_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.clear_filters()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        sm = self.table.selectionModel()
        was_blocked = sm.blockSignals(not emit)
        try:
            sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            sm.blockSignals(was_blocked)
        if not emit:
            self._current = self.model.finding(row)
            self._show_details(self._current)
        self.table.scrollTo(index)
        return True

    def clear_filters(self) -> None:
        for combo in (self.severity_filter, self.status_filter, self.family_filter, self.standard_filter):
            combo.setCurrentIndex(0)
        self.search.clear()
        self.proxy.set_filters(severity="", status="", family="", standard="", text="")

    def current_finding(self) -> Finding | None:
        return self._current

    # ------------------------------------------------------------ slots
    def _on_filter_changed(self, _index: int) -> None:
        # combo data comes back as plain strings (Qt stores str enums as text): turn them back
        severity = self.severity_filter.currentData()
        status = self.status_filter.currentData()
        self.proxy.set_filters(
            severity=Severity(severity) if severity else "",
            status=ReviewStatus(status) if status else "",
            family=self.family_filter.currentData(),
            standard=self.standard_filter.currentData(),
        )

    def _on_table_current_changed(self, current, _previous) -> None:
        f = current.data(FINDING_ROLE) if current.isValid() else None
        self._current = f
        self._show_details(f)
        self.finding_selected.emit(f)

    # ------------------------------------------------------------ details and review
    def _set_review_enabled(self, on: bool) -> None:
        for w in (self.status_edit, self.owner_edit, self.justification_edit):
            w.setEnabled(on)

    def _show_details(self, f: Finding | None) -> None:
        self._set_review_enabled(f is not None)
        if f is None:
            self.details.clear()
            self._show_review()
            return
        e = html.escape
        parts = [f"<h3>{e(f.title)}</h3>", f"<p>{e(f.description)}</p>"]
        parts.append(
            f"<p><b>Risk</b> {e(f.severity.label)} ({f.likelihood}×{f.impact}={f.risk}); after controls in place "
            f"{e(f.residual.severity.label)} ({f.residual.likelihood}×{f.residual.impact}={f.residual.risk})</p>"
        )
        if f.rationale:
            parts.append(f"<p><b>Why</b> {e(f.rationale)}</p>")
        if f.business_impact:
            parts.append(f"<p><b>Business impact</b> {e(f.business_impact)}</p>")
        factors = [*f.likelihood_factors, *f.impact_factors]
        if factors:
            parts.append("<ul>" + "".join(f"<li>{x.delta:+d} {e(x.reason)}</li>" for x in factors) + "</ul>")
        if f.path:
            names = [getattr(self.document.item(i), "name", "") or i for i in f.path]
            parts.append(f"<p><b>Path</b> {' → '.join(e(n) for n in names)}</p>")
        if f.mitigations:
            items = "".join(
                f"<li>{'✔ ' if m.in_place else ''}{e(m.name)}{' (in place)' if m.in_place else ''}</li>" for m in f.mitigations
            )
            parts.append(f"<p><b>Mitigations</b></p><ul>{items}</ul>")
        refs = [*f.atlas, *f.owasp, *f.stride]
        if refs:
            parts.append(f"<p><b>Standards</b> {e(', '.join(refs))}</p>")
        self.details.setHtml("".join(parts))
        self._show_review()

    def _show_review(self) -> None:
        f = self._current
        record = self.document.model.reviews.get(f.id) if f is not None else None
        status = record.status if record else (f.status if f else ReviewStatus.OPEN)
        owner = record.owner if record else (f.owner if f else "")
        justification = record.justification if record else (f.justification if f else "")
        with QSignalBlocker(self.status_edit):
            self.status_edit.setCurrentIndex(self.status_edit.findData(status))
        with QSignalBlocker(self.owner_edit):
            self.owner_edit.setText(owner)
        if not self.justification_edit.hasFocus():
            with QSignalBlocker(self.justification_edit):
                self.justification_edit.setPlainText(justification)

    def _commit_review(self, **changes) -> None:
        f = self._current
        if f is None:
            return
        record = self.document.model.reviews.get(f.id)
        current = {
            "status": record.status if record else f.status,
            "owner": record.owner if record else f.owner,
            "justification": record.justification if record else f.justification,
        }
        if all(current[k] == v for k, v in changes.items()):
            return
        update = {**current, **changes, "fingerprint": f.fingerprint}
        if "status" in changes:
            update["date"] = date.today().isoformat()  # when the decision was taken
        try:
            self.document.push(SetReviewCommand(self.document, f.id, update))
        except CommandError as exc:
            self.refused.emit(str(exc))
            self._show_review()
