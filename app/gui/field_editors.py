"""Typed editors for model fields, chosen from each field's pydantic annotation.

=====================  ==========================================
annotation             editor
=====================  ==========================================
an enumeration         combo box (the values' labels)
``bool``               check box
a set of enum values   checkable list
a set of control ids   checkable list of the controls catalogue
a tuple of texts       line edit, comma separated
long text              multi-line text (committed on leaving it)
other text             line edit
=====================  ==========================================

Every editor emits ``committed(field, value)`` only for a *committed* change by
the user (Enter or leaving a text field, choosing a combo entry, clicking a
box) and only when the value differs from what the model holds;
:meth:`FieldEditor.set_value` updates the widget under a ``QSignalBlocker``.
The field's ``description`` becomes the widget's tooltip, What's This text and
accessible description.
"""

from __future__ import annotations

import typing
from enum import Enum
from typing import Any

from PySide6.QtCore import QObject, QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, QWidget

LONG_TEXT = 50_000  # max_length above which a text field gets a multi-line editor


def field_label(name: str) -> str:
    """``personal_data`` → ``Personal data``."""
    return name.replace("_", " ").capitalize()


def _max_length(info) -> int:
    for m in info.metadata:
        if hasattr(m, "max_length") and m.max_length is not None:
            return m.max_length
    return 0


def _tuple_item(annotation) -> Any:
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        if len(args) == 2 and args[1] is Ellipsis:
            inner = args[0]
            if typing.get_origin(inner) is typing.Annotated:
                inner = typing.get_args(inner)[0]
            return inner
    return None


class FieldEditor(QObject):
    """One field's widget; ``committed(field, value)`` when the user commits a change."""

    committed = Signal(str, object)

    def __init__(self, field: str, widget: QWidget, help_text: str):
        super().__init__(widget)
        self.field = field
        self.widget = widget
        self._value: Any = None
        self._shown = False
        widget.setObjectName(f"field-{field}")
        widget.setAccessibleName(field_label(field.split(".")[-1]))
        if help_text:
            widget.setToolTip(help_text)
            widget.setWhatsThis(help_text)
            widget.setAccessibleDescription(help_text)
        self.help_text = help_text

    def set_value(self, value: Any) -> None:
        if self._shown and value == self._value:
            return  # already showing it: a refresh must not reset the cursor or scroll position
        self._value = value
        self._shown = True
        with QSignalBlocker(self.widget):
            self._show(value)

    def value(self) -> Any:
        return self._value

    def _show(self, value: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _offer(self, value: Any) -> None:
        if value != self._value:
            self._value = value
            self.committed.emit(self.field, value)


class EnumEditor(FieldEditor):
    def __init__(self, field: str, enum: type[Enum], help_text: str):
        combo = QComboBox()
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        super().__init__(field, combo, help_text)
        # members by position: Qt would hand str enums back as plain text
        self.members = list(enum)
        for member in self.members:
            combo.addItem(getattr(member, "label", member.value), member.value)
        combo.activated.connect(lambda index: self._offer(self.members[index]))

    def _show(self, value) -> None:
        self.widget.setCurrentIndex(self.members.index(value) if value in self.members else -1)


class BoolEditor(FieldEditor):
    def __init__(self, field: str, help_text: str):
        box = QCheckBox(field_label(field.split(".")[-1]))
        super().__init__(field, box, help_text)
        box.clicked.connect(lambda checked: self._offer(bool(checked)))

    def _show(self, value) -> None:
        self.widget.setChecked(bool(value))


class TextEditor(FieldEditor):
    def __init__(self, field: str, help_text: str, max_length: int = 0):
        edit = QLineEdit()
        if max_length:
            edit.setMaxLength(max_length)
        super().__init__(field, edit, help_text)
        edit.editingFinished.connect(lambda: self._offer(edit.text()))

    def _show(self, value) -> None:
        self.widget.setText(value or "")
        self.widget.setCursorPosition(0)


class _CommittingPlainText(QPlainTextEdit):
    """A multi-line field that reports when the user is done with it (its "editing finished").

    Done means: focus leaves it, or Tab / Shift+Tab (which move on) or Ctrl+Enter.
    The keys are checked too because a focus change is not always delivered
    (an inactive window), and a value must not stay uncommitted.
    """

    left = Signal()

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.left.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:
        # Tab and Shift+Tab end up here (tabChangesFocus), before keyPressEvent
        self.left.emit()
        return super().focusNextPrevChild(forward)

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.left.emit()


class LongTextEditor(FieldEditor):
    def __init__(self, field: str, help_text: str):
        edit = _CommittingPlainText()
        edit.setTabChangesFocus(True)  # Tab moves on, as in every other form field
        edit.setFixedHeight(64)
        super().__init__(field, edit, help_text)
        edit.left.connect(lambda: self._offer(edit.toPlainText()))

    def _show(self, value) -> None:
        self.widget.setPlainText(value or "")


class TextListEditor(FieldEditor):
    """A tuple of short texts (authors, reviewers) as one comma-separated line."""

    def __init__(self, field: str, help_text: str):
        edit = QLineEdit()
        edit.setPlaceholderText("comma separated")
        super().__init__(field, edit, help_text)
        edit.editingFinished.connect(
            lambda: self._offer(tuple(p.strip() for p in edit.text().split(",") if p.strip()))
        )

    def _show(self, value) -> None:
        self.widget.setText(", ".join(value or ()))


class SetEditor(FieldEditor):
    """A set of values as a checkable list; ``options`` are ``(value, label, tooltip)``."""

    def __init__(self, field: str, options: list[tuple[Any, str, str]], help_text: str):
        lst = QListWidget()
        lst.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lst.setTextElideMode(Qt.TextElideMode.ElideRight)
        lst.setMaximumHeight(min(24 * max(3, len(options)) + 6, 190))
        for value, label, tip in options:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            item.setCheckState(Qt.CheckState.Unchecked)
            if tip:
                item.setToolTip(tip)
            lst.addItem(item)
        super().__init__(field, lst, help_text)
        lst.itemChanged.connect(self._on_item_changed)

    def _items(self):
        return [self.widget.item(i) for i in range(self.widget.count())]

    def _show(self, value) -> None:
        chosen = set(value or ())
        known = {item.data(Qt.ItemDataRole.UserRole) for item in self._items()}
        for extra in sorted(chosen - known, key=str):  # e.g. a control id not in this catalogue
            item = QListWidgetItem(f"{getattr(extra, 'value', extra)} (unknown)")
            item.setData(Qt.ItemDataRole.UserRole, extra)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
            self.widget.addItem(item)
        for item in self._items():
            on = item.data(Qt.ItemDataRole.UserRole) in chosen
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _on_item_changed(self, _item) -> None:
        chosen = [i.data(Qt.ItemDataRole.UserRole) for i in self._items() if i.checkState() == Qt.CheckState.Checked]
        self._offer(tuple(sorted(chosen, key=lambda v: str(getattr(v, "value", v)))))

    def check(self, value: Any, on: bool = True) -> None:
        """Tick (or untick) the entry for ``value`` as a user would."""
        for item in self._items():
            if item.data(Qt.ItemDataRole.UserRole) == value:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def editor_for(field: str, info, controls=None) -> FieldEditor:
    """The editor for the pydantic field ``info`` named ``field`` (dotted for properties)."""
    annotation = info.annotation
    help_text = info.description or ""
    name = field.split(".")[-1]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return EnumEditor(field, annotation, help_text)
    if annotation is bool:
        return BoolEditor(field, help_text)
    inner = _tuple_item(annotation)
    if inner is not None:
        if isinstance(inner, type) and issubclass(inner, Enum):
            options = [(m, getattr(m, "label", m.value), "") for m in inner]
            return SetEditor(field, options, help_text)
        if name == "controls":
            options = [(c.id, c.name, c.description) for c in (controls or [])]
            return SetEditor(field, options, help_text or "Controls in place, from the controls catalogue.")
        return TextListEditor(field, help_text)
    if _max_length(info) > LONG_TEXT:
        return LongTextEditor(field, help_text)
    return TextEditor(field, help_text, min(_max_length(info), 32767))
