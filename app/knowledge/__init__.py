"""The threat library and the controls catalogue: schemas and loaders (Qt-free).

Library files live in ``resources/library``; organisations may add their own
folders. Nothing here evaluates code: entries are data validated by pydantic.
"""

from app.knowledge.controls import Control, ControlCatalogue, load_controls

__all__ = ["Control", "ControlCatalogue", "load_controls"]
