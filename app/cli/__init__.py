"""The ``threatcanvas`` command line (Qt-free): headless commands for CI and batch use."""
