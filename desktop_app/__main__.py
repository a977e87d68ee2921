"""`python -m desktop_app` opens the window, like `mldesk` with no arguments."""

from desktop_app.cli import main

raise SystemExit(main(["gui"]))
