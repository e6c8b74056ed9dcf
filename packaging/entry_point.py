"""The frozen bundle's entry script: ``threatcanvas`` is the editor and the CLI.

PyInstaller runs this file as ``__main__``; everything else lives in the
package, so the bundle behaves exactly like ``python -m app`` (subcommands run
headless, ``--self-test`` checks the bundle, anything else opens the editor).
"""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
