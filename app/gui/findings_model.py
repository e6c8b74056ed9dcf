"""Table model of the analysis findings, and the proxy that filters them.

Columns: residual severity, risk (likelihood × impact), title, where (the
anchor's name), family, status, owner. A review recorded in the model (status,
owner) is shown at once, before the next analysis run echoes it back, so the
panel never lags behind the user's own edit.

Filters: severity (exact band of the residual risk), review status, threat
family, and standard (MITRE ATLAS, OWASP LLM 2025, OWASP ML, STRIDE), plus a
free-text search over title, family and the anchor's name.

Sorting happens in the model, not in the proxy: the proxy compares rows one
pair at a time, each comparison two calls into Python, which took 200 ms for
the 4,000 findings of a 2,000-element diagram on every new result. The model
sorts with Python's ``sorted`` on keys computed once per row. Like the proxy's
stable sort, sorting again keeps the rows' present order among ties (sort by
title, then by status: each status in title order), and a new result's rows
come in the engine's order before they are sorted.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush

from app.analysis.findings import AnalysisResult, Finding, Severity
from app.canvas.theme import severity_colour
from app.model.types import ReviewStatus

COLUMNS = ("Severity", "Risk", "Finding", "Where", "Family", "Status", "Owner")
SEVERITY, RISK, TITLE, WHERE, FAMILY, STATUS, OWNER = range(len(COLUMNS))
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FINDING_ROLE = Qt.ItemDataRole.UserRole + 2

STANDARDS = {
    "MITRE ATLAS": lambda f: bool(f.atlas),
    "OWASP LLM 2025": lambda f: any(o.startswith("LLM") for o in f.owasp),
    "OWASP ML": lambda f: any(o.startswith("ML") for o in f.owasp),
    "STRIDE": lambda f: bool(f.stride),
}


class FindingsModel(QAbstractTableModel):
    """The findings of the newest analysis result, with review records from the document."""

    def __init__(self, document, parent=None):
        super().__init__(parent)
        self.document = document
        self._result_findings: tuple[Finding, ...] = ()  # in the engine's order
        self._findings: tuple[Finding, ...] = ()  # in row order
        self._sort_column, self._sort_order = -1, Qt.SortOrder.AscendingOrder
        document.reviews_changed.connect(self._on_document_reviews_changed)
        document.revision_changed.connect(self._on_document_revision_changed)

    def set_result(self, result: AnalysisResult | None) -> None:
        self.beginResetModel()
        self._result_findings = result.findings if result is not None else ()
        self._findings = self._sorted(self._result_findings)
        self.endResetModel()

    def findings(self) -> tuple[Finding, ...]:
        """The findings of the result shown, in the engine's order."""
        return self._result_findings

    def finding(self, row: int) -> Finding:
        return self._findings[row]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (its SORT_ROLE key); selections and current rows follow."""
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()  # no arguments: emitting with a Python list crashes PySide6 6.11
        old = self._findings
        self._findings = self._sorted(old)
        row_of = {id(f): row for row, f in enumerate(self._findings)}
        before = self.persistentIndexList()
        after = [self.index(row_of[id(old[i.row()])], i.column()) for i in before]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def _sorted(self, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
        column = self._sort_column
        if column < 0 or column >= len(COLUMNS):
            return findings
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        return tuple(sorted(findings, key=lambda f: self._sort_key(f, column), reverse=descending))

    def row_of(self, finding_id: str) -> int:
        for i, f in enumerate(self._findings):
            if f.id == finding_id:
                return i
        return -1

    def status_of(self, f: Finding) -> ReviewStatus:
        record = self.document.model.reviews.get(f.id)
        return record.status if record is not None else f.status

    def owner_of(self, f: Finding) -> str:
        record = self.document.model.reviews.get(f.id)
        return record.owner if record is not None else f.owner

    def where(self, f: Finding) -> str:
        item = self.document.item(f.anchor)
        if item is None:
            return f.anchor
        name = getattr(item, "name", "") or f.anchor
        if self.document.kind_of(f.anchor) == "flow":
            src, dst = self.document.element(item.source), self.document.element(item.target)
            ends = f"{src.name if src else item.source} → {dst.name if dst else item.target}"
            return f"{name} ({ends})" if getattr(item, "name", "") else ends
        return name

    # -- Qt model
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        f = self._findings[index.row()]
        col = index.column()
        if role == FINDING_ROLE:
            return f
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(f, col)
        if role == SORT_ROLE:
            return self._sort_key(f, col)
        if role == Qt.ItemDataRole.ForegroundRole and col == SEVERITY:
            return QBrush(severity_colour(f.residual.severity))
        if role == Qt.ItemDataRole.ToolTipRole and col in (SEVERITY, RISK):
            return (
                f"Inherent {f.severity.label} ({f.likelihood}×{f.impact}={f.risk}); "
                f"residual {f.residual.severity.label} ({f.residual.likelihood}×{f.residual.impact}={f.residual.risk})"
            )
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{self._display(f, col)}"
        return None

    def _sort_key(self, f: Finding, col: int):
        if col == SEVERITY:
            return f.residual.risk
        if col == RISK:
            return f.risk
        return str(self._display(f, col)).lower()

    def _display(self, f: Finding, col: int):
        if col == SEVERITY:
            return f.residual.severity.label
        if col == RISK:
            return f.risk if f.residual.risk == f.risk else f"{f.risk} → {f.residual.risk}"
        if col == TITLE:
            return f.title
        if col == WHERE:
            return self.where(f)
        if col == FAMILY:
            return family_label(f.family)
        if col == STATUS:
            status = self.status_of(f)
            return status.label + (" (re-review)" if f.needs_rereview else "")
        if col == OWNER:
            return self.owner_of(f)
        return None

    def _on_document_reviews_changed(self) -> None:
        if self._findings:
            self.dataChanged.emit(self.index(0, STATUS), self.index(len(self._findings) - 1, OWNER))
            if self._sort_column in (STATUS, OWNER):
                self.sort(self._sort_column, self._sort_order)

    def _on_document_revision_changed(self, _rev: int) -> None:
        if self._findings:  # names in "Where" may have changed
            self.dataChanged.emit(self.index(0, WHERE), self.index(len(self._findings) - 1, WHERE))
            if self._sort_column == WHERE:
                self.sort(self._sort_column, self._sort_order)


class FindingsFilter(QSortFilterProxyModel):
    """Filters by severity, status, family, standard and text; sorting is passed on to the model."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.severity: Severity | None = None
        self.status: ReviewStatus | None = None
        self.family: str | None = None
        self.standard: str | None = None
        self.text = ""

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The view's header asks here: the model sorts (see the module's docstring); rows keep its order."""
        self.sourceModel().sort(column, order)

    def set_filters(self, severity=None, status=None, family=None, standard=None, text=None) -> None:
        """Set any of the filters (``None`` leaves one as it is; pass ``""`` to clear text)."""
        self.beginFilterChange()
        if severity is not None:
            self.severity = severity or None
        if status is not None:
            self.status = status or None
        if family is not None:
            self.family = family or None
        if standard is not None:
            self.standard = standard or None
        if text is not None:
            self.text = text.strip().lower()
        self.endFilterChange()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:
        model: FindingsModel = self.sourceModel()
        f = model.finding(row)
        if self.severity is not None and f.residual.severity is not self.severity:
            return False
        if self.status is not None and model.status_of(f) is not self.status:
            return False
        if self.family is not None and f.family != self.family:
            return False
        if self.standard is not None and not STANDARDS[self.standard](f):
            return False
        if self.text:
            hay = f"{f.title} {f.family} {model.where(f)} {f.threat_id}".lower()
            if self.text not in hay:
                return False
        return True


def family_label(family: str) -> str:
    """``data_leakage`` → ``Data leakage``: how a threat family reads in the panel."""
    return family.replace("_", " ").capitalize()

