"""The document layer of the editor (QtCore/QtGui only, no widgets).

* :class:`Document` — the open model, the only thing that changes it, and the
  past-tense signals views listen to;
* ``commands`` — one undo command per kind of edit;
* :class:`SelectionModel` — the selected ids;
* :class:`AnalysisRunner` — live analysis on a worker thread;
* :class:`Autosave` — recovery files for unsaved work.
"""

from app.document.commands import *  # noqa: F401,F403
from app.document.commands import __all__ as _command_names
from app.document.document import Document
from app.document.membership import CommandError
from app.document.patch import Patch
from app.document.selection import SelectionModel

__all__ = ["Document", "CommandError", "Patch", "SelectionModel", *_command_names]
