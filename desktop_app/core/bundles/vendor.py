"""The MLDesk code a saved model needs, copied into the bundle's `code/` folder.

A fitted pipeline names MLDesk's own steps (`desktop_app.core.training.transformers.AsNumbers`
…), so loading it imports those modules and whatever they import (quality.recipe,
data.settings, …). `closure(roots)` follows the `import` statements in the sources (read
with `ast`, never executed; imports inside functions count too) and returns the smallest
set of MLDesk modules that makes the roots importable. `vendor` copies them to
`code/desktop_app/…`. The packages on the way get a stub `__init__.py` (the real ones may
import much more: `quality/__init__` pulls in every check) unless a module imports a name
from the package itself, in which case the real `__init__.py` and its own closure come too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.bundles.errors import BundleError

ROOT_PACKAGE = "desktop_app"
PACKAGE_DIR = Path(__file__).resolve().parents[2]      # …/desktop_app
STUB_INIT = '"""Vendored from MLDesk {version}: only the modules this model needs to load."""\n'


@dataclass(frozen=True)
class Closure:
    modules: dict[str, Path]          # module name -> source file (real package __init__s included)
    packages: tuple[str, ...]         # every package on the way, outermost first


def app_modules(types: Iterable[str]) -> list[str]:
    """The MLDesk modules defining `types` (dotted names as skops lists them)."""
    return sorted({t.rpartition(".")[0] for t in types if t.startswith(ROOT_PACKAGE + ".")})


def _source(module: str) -> tuple[Path, bool] | None:
    """(file, is_package) of an MLDesk module, or None when there is no such module."""
    parts = module.split(".")
    if parts[0] != ROOT_PACKAGE:
        return None
    base = PACKAGE_DIR.joinpath(*parts[1:])
    if (base / "__init__.py").is_file():
        return base / "__init__.py", True
    if base.with_suffix(".py").is_file():
        return base.with_suffix(".py"), False
    return None


def _imports(module: str, path: Path, is_package: bool) -> Iterable[tuple[str, list[str] | None]]:
    """(module, names imported from it or None) for every import statement in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            yield base, [a.name for a in node.names]


def closure(roots: Iterable[str]) -> Closure:
    """The MLDesk modules `roots` need, by their import statements (BundleError if a source is missing)."""
    modules: dict[str, Path] = {}
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in modules or not name.startswith(ROOT_PACKAGE):
            continue
        found = _source(name)
        if found is None:
            raise BundleError(f"The MLDesk module {name} the model needs has no source file in this installation "
                              f"({PACKAGE_DIR}); the bundle cannot carry it.")
        path, is_package = found
        modules[name] = path
        for base, names in _imports(name, path, is_package):
            if not base.startswith(ROOT_PACKAGE):
                continue
            source = _source(base)
            if source is None:
                continue  # a lazily imported optional name, or a typo the app would report itself
            _, base_is_package = source
            if base_is_package and names is None:
                continue  # `import desktop_app.x`: the package itself only as a namespace
            if not base_is_package:
                todo.append(base)
                continue
            for item in names or ():
                if _source(f"{base}.{item}") is not None:
                    todo.append(f"{base}.{item}")
                else:
                    todo.append(base)  # a name defined in the package's own __init__
    packages = {".".join(m.split(".")[:i]) for m in modules for i in range(1, len(m.split(".")))}
    packages |= {m for m, path in modules.items() if path.name == "__init__.py"}
    return Closure(modules, tuple(sorted(packages, key=lambda p: (p.count("."), p))))


def vendor(roots: Iterable[str], code_dir: Path, version: str) -> list[Path]:
    """Copy the closure of `roots` under `code_dir` (created); the files written, in order."""
    found = closure(roots)
    written: list[Path] = []
    for package in found.packages:
        folder = code_dir.joinpath(*package.split("."))
        folder.mkdir(parents=True, exist_ok=True)
        init = folder / "__init__.py"
        if package in found.modules:
            init.write_bytes(found.modules[package].read_bytes())
        else:
            init.write_text(STUB_INIT.format(version=version), encoding="utf-8")
        written.append(init)
    for module, path in sorted(found.modules.items()):
        if module in found.packages:
            continue
        target = code_dir.joinpath(*module.split(".")).with_suffix(".py")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        written.append(target)
    return written
