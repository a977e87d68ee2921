"""SHA256SUMS: every file of a bundle with its SHA-256, in `sha256sum` format (`sha256sum -c` checks it)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.bundles.errors import BundleError
from desktop_app.core.store.objects import sha256_file

SUMS_FILE = "SHA256SUMS"


def bundle_files(folder: Path) -> list[str]:
    """Every file under `folder` but SHA256SUMS and Python caches, as sorted POSIX paths."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")
                  if p.is_file() and p.name != SUMS_FILE and "__pycache__" not in p.parts)


def write_sums(folder: Path) -> Path:
    lines = [f"{sha256_file(folder / name)}  {name}\n" for name in bundle_files(folder)]
    path = folder / SUMS_FILE
    path.write_text("".join(lines), encoding="utf-8", newline="\n")
    return path


def read_sums(folder: Path) -> dict[str, str]:
    path = folder / SUMS_FILE
    if not path.is_file():
        raise BundleError(f"{folder} has no {SUMS_FILE}; it is not a complete MLDesk bundle.")
    listed = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, _, name = line.partition("  ")
            listed[name.lstrip("*")] = digest.strip().lower()
    return listed


def check_sums(folder: Path) -> list[str]:
    """Problems found (one sentence each): files changed, missing, or not listed; [] when all match."""
    listed = read_sums(folder)
    problems = []
    for name, digest in listed.items():
        path = folder / name
        if not path.is_file():
            problems.append(f"{name} is listed in {SUMS_FILE} but missing.")
        elif sha256_file(path) != digest:
            problems.append(f"{name} does not match its hash in {SUMS_FILE}.")
    problems += [f"{name} is not listed in {SUMS_FILE}." for name in bundle_files(folder) if name not in listed]
    return problems
