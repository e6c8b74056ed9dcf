"""The inspector: typed editors for the current selection, generated from the model's fields.

It shows the selection's *current* item (an element, a flow or a boundary), or
the model's information when nothing is selected. The form is built from the
pydantic classes (``app.gui.field_editors``), so a field added to the model
appears here with its description as help text. A committed change becomes
one command; the form refreshes from the document under ``QSignalBlocker``
whenever the shown item changes, so a refresh never echoes back as an edit.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QFormLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.document.commands import CommandError, ReconnectFlowCommand, SetModelInfoCommand
from app.gui.field_editors import FieldEditor, editor_for, field_label
from app.model import Boundary, Flow, ModelInfo, PROPERTY_CLASSES
from app.model.elements import ElementBase, FlowProperties
from app.model.types import natural_key

_ELEMENT_TOP = ("name", "description", "controls")
_FLOW_TOP = ("name", "carries", "protocol", "description", "controls")
_BOUNDARY_TOP = ("name", "description")


class Inspector(QScrollArea):
    """Edits the selection's current item (or the model's info) through commands."""

    refused = Signal(str)

    def __init__(self, document, selection, editor, controls=None, parent=None):
        super().__init__(parent)
        self.setObjectName("inspector")
        self.setAccessibleName("Inspector")
        self.setWidgetResizable(True)
        # long control names elide instead of pushing the form wider than the dock
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.document = document
        self.selection = selection
        self.editor = editor
        self.controls = list(controls or [])
        self._ident = ""
        self._shape: tuple = ()
        self.editors: dict[str, FieldEditor] = {}
        self._ends: dict[str, QComboBox] = {}
        self._ends_key: tuple = ()
        self._body = QWidget()
        self.setWidget(self._body)
        self._layout = QVBoxLayout(self._body)
        self._title = QLabel()
        self._title.setObjectName("inspector-title")
        self._title.setTextFormat(Qt.TextFormat.PlainText)
        font = self._title.font()
        font.setBold(True)
        self._title.setFont(font)
        self._layout.addWidget(self._title)
        self._form_host = QWidget()
        self._form = QFormLayout(self._form_host)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._layout.addWidget(self._form_host)
        self._help = QLabel()
        self._help.setObjectName("inspector-help")
        self._help.setWordWrap(True)
        self._help.setTextFormat(Qt.TextFormat.PlainText)
        self._help.setAccessibleName("Field help")
        self._layout.addWidget(self._help)
        self._layout.addStretch(1)
        selection.current_changed.connect(self._on_selection_current_changed)
        document.revision_changed.connect(self._on_document_revision_changed)
        document.model_reset.connect(self._on_document_model_reset)
        QApplication.instance().focusChanged.connect(self._on_app_focus_changed)
        self.refresh()

    def set_controls(self, controls) -> None:
        """Offer another controls catalogue (the threat library changed)."""
        self.controls = list(controls)
        self._shape = ()  # rebuild the form with the new list
        self.refresh()

    # ------------------------------------------------------------ what is shown
    def shown_id(self) -> str:
        return self._ident

    def _on_selection_current_changed(self, ident: str) -> None:
        self.refresh()

    def _on_document_revision_changed(self, _revision: int) -> None:
        self.refresh()

    def _on_document_model_reset(self) -> None:
        self._shape = ()  # a new model may have new controls or kinds: rebuild
        self.refresh()

    def _on_app_focus_changed(self, _old, now) -> None:
        for ed in self.editors.values():
            if now is ed.widget or (now is not None and ed.widget.isAncestorOf(now)):
                self._help.setText(f"{field_label(ed.field.split('.')[-1])}: {ed.help_text}" if ed.help_text else "")
                return

    def refresh(self) -> None:
        """Show the current item (rebuilding the form only when its kind changed)."""
        ident = self.selection.current()
        item = self.document.item(ident) if ident else None
        if item is None:
            ident = ""
        self._ident = ident
        shape = self._shape_of(item)
        if shape != self._shape:
            self._build(item)
            self._shape = shape
        self._fill(item)

    def _shape_of(self, item) -> tuple:
        if item is None:
            return ("info",)
        if isinstance(item, ElementBase):
            return ("element", item.kind)
        if isinstance(item, Flow):
            return ("flow",)
        return ("boundary",)

    # ------------------------------------------------------------ building
    def _clear(self) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.editors = {}
        self._ends = {}
        self._ends_key = ()

    def _add(self, field: str, info, label: str | None = None) -> None:
        ed = editor_for(field, info, self.controls)
        ed.committed.connect(self._on_editor_committed)
        self.editors[field] = ed
        if ed.widget.__class__.__name__ == "QCheckBox":
            self._form.addRow("", ed.widget)
        else:
            text = label or field_label(field.split(".")[-1])
            lab = QLabel(text)
            lab.setBuddy(ed.widget)
            self._form.addRow(lab, ed.widget)

    def _build(self, item) -> None:
        self._clear()
        if item is None:
            for name, info in ModelInfo.model_fields.items():
                self._add(f"info.{name}", info)
            return
        cls = type(item)
        if isinstance(item, ElementBase):
            for name in _ELEMENT_TOP[:2]:
                self._add(name, cls.model_fields[name])
            for name, info in PROPERTY_CLASSES[item.element_kind].model_fields.items():
                self._add(f"properties.{name}", info)
            self._add("controls", cls.model_fields["controls"])
        elif isinstance(item, Flow):
            self._add("name", Flow.model_fields["name"])
            for end in ("source", "target"):
                combo = QComboBox()
                combo.setObjectName(f"field-{end}")
                combo.setAccessibleName("From" if end == "source" else "To")
                combo.setToolTip(Flow.model_fields[end].description or "")
                combo.activated.connect(lambda index, end=end, combo=combo: self._on_end_chosen(end, combo.itemData(index)))
                self._ends[end] = combo
                self._form.addRow("From" if end == "source" else "To", combo)
            for name in _FLOW_TOP[1:]:
                self._add(name, Flow.model_fields[name])
            for name, info in FlowProperties.model_fields.items():
                self._add(f"properties.{name}", info)
        else:
            for name in _BOUNDARY_TOP:
                self._add(name, Boundary.model_fields[name])

    def _fill(self, item) -> None:
        if item is None:
            self._title.setText("Model")
            info = self.document.model.info
            for field, ed in self.editors.items():
                ed.set_value(getattr(info, field.split(".", 1)[1]))
            return
        kind = self.document.kind_of(item.id)
        label = item.element_kind.label if isinstance(item, ElementBase) else kind
        self._title.setText(f"{label.capitalize()} {item.id}")
        for field, ed in self.editors.items():
            if field.startswith("properties."):
                ed.set_value(getattr(item.properties, field.split(".", 1)[1]))
            else:
                ed.set_value(getattr(item, field))
        if self._ends:
            elements = sorted(self.document.model.elements, key=lambda e: (e.name.lower(), natural_key(e.id)))
            key = tuple((e.id, e.name) for e in elements)
            if key != self._ends_key:  # element names or ids changed: relist them
                self._ends_key = key
                for combo in self._ends.values():
                    with QSignalBlocker(combo):
                        combo.clear()
                        for e in elements:
                            combo.addItem(f"{e.name} ({e.id})", e.id)
        for end, combo in self._ends.items():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(combo.findData(getattr(item, end)))

    # ------------------------------------------------------------ committing
    def _on_editor_committed(self, field: str, value) -> None:
        ident = self._ident
        try:
            if field.startswith("info."):
                self.document.push(SetModelInfoCommand(self.document, {field.split(".", 1)[1]: value}))
            elif field == "name":
                self.editor.rename(ident, value)
            elif field.startswith("properties."):
                name = field.split(".", 1)[1]
                self.editor.set_fields(ident, {"properties": {name: value}}, f"Set {field_label(name).lower()}")
            else:
                self.editor.set_fields(ident, {field: value}, f"Set {field_label(field).lower()}")
        except CommandError as exc:
            self.refused.emit(str(exc))
        self.refresh()  # a refused value goes back to what the model holds

    def _on_end_chosen(self, end: str, element_id: str) -> None:
        flow = self.document.flow(self._ident)
        if flow is None or getattr(flow, end) == element_id:
            return
        try:
            self.document.push(ReconnectFlowCommand(self.document, flow.id, **{end: element_id}))
        except CommandError as exc:
            self.refused.emit(str(exc))
        self.refresh()
