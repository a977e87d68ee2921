"""`core` must stay importable and usable without Qt (DESIGN.md: layers)."""

import ast
import subprocess
import sys
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "desktop_app" / "core"
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "desktop_app.ui", "desktop_app.cli")


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_no_core_module_imports_qt_or_front_ends():
    offenders = [
        f"{path.relative_to(CORE.parent.parent)} imports {module}"
        for path in CORE.rglob("*.py")
        for module in _imported_modules(path)
        if module.split(".")[0] in FORBIDDEN or module.startswith(FORBIDDEN)
    ]
    assert offenders == []


def test_importing_all_of_core_loads_no_qt():
    modules = sorted(
        ".".join(p.relative_to(CORE.parent.parent).with_suffix("").parts)
        for p in CORE.rglob("*.py")
        if "migrations" not in p.parts
    )
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'pyqtgraph'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
