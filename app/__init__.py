"""ThreatCanvas: a threat-modelling diagram editor for AI systems.

The package is layered (see docs/architecture.md): ``model``, ``knowledge``,
``analysis``, ``report`` and ``cli`` are Qt-free; ``document``, ``canvas`` and
``gui`` build the editor on top of them.
"""

__version__ = "0.1.0"
