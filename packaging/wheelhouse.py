"""An offline wheelhouse: every wheel MLDesk needs at run time, for one platform and Python version.

On a machine that reaches a package index, from this checkout, with the repository's Python:

    python packaging/wheelhouse.py wheelhouse                  # this machine's platform and Python
    python packaging/wheelhouse.py wheelhouse --extras team    # plus the PostgreSQL driver (mldesk[team])
    python packaging/wheelhouse.py wh-win --platform win_amd64 --python-version 3.11
    python packaging/wheelhouse.py wh-mac --platform macosx_12_0_arm64 --python-version 3.11
    python packaging/wheelhouse.py wh-linux --platform manylinux_2_28_x86_64 --python-version 3.11

OUT_DIR (new or empty) receives MLDesk's own wheel, built from this checkout (it carries the user guide
and the sample table, see build_guide.py), and binary wheels of its run-time dependencies
(pyproject.toml's [project].dependencies, not the dev extra) and of theirs, plus SHA256SUMS.
For this machine pip builds a wheel of any dependency that only has a source archive; for another
platform only published wheels will do, and a dependency without one for that platform is named.
A manylinux_2_N platform also accepts the older manylinux wheels (pip alone would not); a macOS
one accepts wheels for older macOS versions (pip does that); --platform may be repeated.

The oldest system the wheels run on is printed (the newest glibc or macOS that one of them needs): a
wheelhouse for this machine takes the newest wheels, which may need a newer system than the offline
machine's. A Linux workstation with an older glibc (RHEL 8: 2.28) needs its own tag, e.g.
manylinux_2_28_x86_64; pip then picks releases built for it, or names the dependency that has none.

On the offline machine (same platform and Python version), copy the folder, check it and install:

    cd wheelhouse && sha256sum -c SHA256SUMS && cd ..    # optional; Windows: Get-FileHash
    python -m venv mldesk-env                            # then activate it
    pip install --no-index --find-links wheelhouse mldesk            # or "mldesk[team]" with --extras team
    mldesk --version

tests/packaging/test_wheelhouse.py installs a wheelhouse this way into a fresh virtual environment.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

REPO = Path(__file__).resolve().parents[1]
# What `pip wheel .` reads: the project, its build step and what that copies into the wheel.
BUILD_INPUTS = ("pyproject.toml", "build_guide.py", "MANIFEST.in", "README.md", "desktop_app", "docs", "resources")
# pip's words when the index cannot be reached (urllib3's and the system's errors).
UNREACHABLE = ("NewConnectionError", "Max retries exceeded", "ConnectTimeoutError", "NameResolutionError",
               "Temporary failure in name resolution", "Network is unreachable", "Connection refused",
               "ProxyError", "ReadTimeoutError", "RemoteDisconnected")
NO_WHEEL = re.compile(r"No matching distribution found for (\S+)")
LEGACY_MANYLINUX = {"manylinux2014": 17, "manylinux2010": 12, "manylinux1": 5}


class Refused(Exception):
    """One sentence for the user; exit 1."""


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        out = prepare(Path(args.out_dir))
    except Refused as exc:
        print(f"wheelhouse: {exc}", file=sys.stderr)
        return 1
    try:
        app_wheel = build_app_wheel(out)
        requirement = f"{app_wheel}[{','.join(args.extras)}]" if args.extras else str(app_wheel)
        if args.platform or (args.python_version and args.python_version != current_python()):
            fetch_foreign(requirement, out, args.platform, args.python_version or current_python(), args.extras)
        else:
            run_pip(["wheel", "--prefer-binary", "--wheel-dir", str(out), requirement], "this machine")
    except (Refused, OSError) as exc:
        for leftover in out.iterdir():   # the folder was empty: a half wheelhouse would only mislead
            leftover.unlink()
        print(f"wheelhouse: {exc if isinstance(exc, Refused) else f'no wheelhouse was made ({exc})'}", file=sys.stderr)
        return 1
    files = write_sums(out)
    megabytes = sum(f.stat().st_size for f in files) / 1e6
    extras = f"[{','.join(args.extras)}]" if args.extras else ""
    print(f"{len(files)} wheels, {megabytes:.1f} MB, in {out} (checksums in SHA256SUMS).")
    for system, (version, wheel) in oldest_system(files).items():
        print(f"Needs {system} {'.'.join(map(str, version))} or newer on the offline machine (for {wheel}).")
    print(f'Offline: pip install --no-index --find-links {out.name} "mldesk{extras}"')
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    extras = [name for name in pyproject()["project"].get("optional-dependencies", {}) if name not in ("dev", "bench")]
    parser = argparse.ArgumentParser(description="Put every wheel MLDesk needs at run time into OUT_DIR.")
    parser.add_argument("out_dir", metavar="OUT_DIR", help="a new or empty folder")
    parser.add_argument("--python-version", metavar="X.Y", help="the offline machine's Python (default: this one's)")
    parser.add_argument("--platform", action="append", metavar="TAG",
                        help="the offline machine's platform tag, e.g. win_amd64, macosx_12_0_arm64, "
                             "manylinux_2_28_x86_64 (default: this machine's); repeatable")
    parser.add_argument("--extras", type=lambda text: [e.strip() for e in text.split(",") if e.strip()], default=[],
                        metavar="NAMES", help=f"optional features to include too ({', '.join(extras)})")
    args = parser.parse_args(argv)
    for name in args.extras:
        if name not in extras:
            parser.error(f"'{name}' is not one of MLDesk's optional features ({', '.join(extras)})")
    return args


def pyproject() -> dict:
    with open(REPO / "pyproject.toml", "rb") as f:
        return tomllib.load(f)


def current_python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def prepare(out: Path) -> Path:
    """OUT_DIR, made if needed, refused unless empty and writable."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if any(out.iterdir()):
            raise Refused(f"{out} already holds files; give a new or empty folder")
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise Refused(f"{out} is not a writable folder ({exc.strerror or exc})") from None
    return out.resolve()


def build_app_wheel(out: Path) -> Path:
    """MLDesk's wheel, built from a copy of the checkout's build inputs (no build/ left in the checkout,
    and nothing stale from an earlier build/ gets into the wheel)."""
    with tempfile.TemporaryDirectory(prefix="mldesk-src-") as tmp:
        source = Path(tmp) / "mldesk"
        for name in BUILD_INPUTS:
            if (REPO / name).is_dir():
                shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                source.mkdir(exist_ok=True)
                shutil.copy2(REPO / name, source / name)
        run_pip(["wheel", "--no-deps", "--wheel-dir", str(out), str(source)], "MLDesk's own wheel")
    (wheel,) = out.glob("mldesk-*.whl")
    return wheel


def fetch_foreign(requirement: str, out: Path, platforms: list[str] | None, python_version: str,
                  extras: list[str]) -> None:
    """Binary wheels for another platform or Python. pip evaluates the dependencies' markers (sys_platform ==
    'win32', ...) for this machine, so the wheelhouse is then checked for the target and completed."""
    tags = [t for p in platforms or [] for t in expand_platform(p)]
    target = (", ".join(platforms) if platforms else "this platform") + f", Python {python_version}"
    options = ["--only-binary=:all:", "--python-version", python_version, "--dest", str(out)]
    options += [arg for tag in tags for arg in ("--platform", tag)]
    wanted = [requirement]
    environment = marker_environment(platforms, python_version)
    root = Requirement(f"mldesk[{','.join(extras)}]" if extras else "mldesk")
    for _ in range(5):
        run_pip(["download", *options, *wanted], target)
        wanted = missing(out, root, environment)
        if not wanted:
            return
    raise Refused(f"the wheelhouse for {target} still lacks {', '.join(wanted)} after five rounds")


def expand_platform(tag: str) -> list[str]:
    """A manylinux tag and every older manylinux tag it runs (pip expands macOS tags itself, not these)."""
    match = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", tag) or re.fullmatch(r"(manylinux\d+)_(\w+)", tag)
    if not match:
        return [tag]
    newest, arch = match.groups()
    glibc = LEGACY_MANYLINUX.get(newest) if newest.startswith("manylinux") else int(newest)
    if glibc is None:
        return [tag]
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(glibc, 4, -1)]
    return tags + [f"{name}_{arch}" for name, minor in LEGACY_MANYLINUX.items() if minor <= glibc]


def marker_environment(platforms: list[str] | None, python_version: str) -> dict[str, str]:
    """The values of environment markers on the offline machine, as far as its platform tag tells them."""
    environment = {name: str(value) for name, value in default_environment().items()}
    environment.update(python_version=python_version, python_full_version=f"{python_version}.0",
                       implementation_name="cpython", platform_python_implementation="CPython")
    tag = (platforms or [""])[0]
    if tag.startswith("win"):
        machine = {"win_amd64": "AMD64", "win_arm64": "ARM64", "win32": "x86"}.get(tag, "AMD64")
        environment.update(sys_platform="win32", platform_system="Windows", os_name="nt", platform_machine=machine)
    elif tag.startswith("macosx"):
        machine = "x86_64" if tag.endswith("x86_64") else "arm64"
        environment.update(sys_platform="darwin", platform_system="Darwin", os_name="posix", platform_machine=machine)
    elif "linux" in tag:
        machine = re.sub(r"^.*linux(_\d+_\d+)?\d*_", "", tag)
        environment.update(sys_platform="linux", platform_system="Linux", os_name="posix", platform_machine=machine)
    return environment


def missing(out: Path, root: Requirement, environment: dict[str, str]) -> list[str]:
    """What `root` needs (markers evaluated for `environment`) that no wheel in `out` provides."""
    wheels = {}
    for path in out.glob("*.whl"):
        name, version, _, _ = parse_wheel_filename(path.name)
        with zipfile.ZipFile(path) as archive:
            (meta,) = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            requires = Parser().parsestr(archive.read(meta).decode("utf-8")).get_all("Requires-Dist") or []
        wheels[name] = (version, [Requirement(text) for text in requires])
    lacking, seen = [], set()
    todo = [(root, "")]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({**environment, "extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        found = wheels.get(name)
        if found is None or not requirement.specifier.contains(found[0], prereleases=True):
            lacking.append(str(Requirement(f"{requirement.name}{requirement.specifier}")))
            continue
        for wanted_extra in sorted(requirement.extras) + [""]:
            if (name, wanted_extra) not in seen:
                seen.add((name, wanted_extra))
                todo += [(r, wanted_extra) for r in found[1]]
    return sorted(set(lacking))


def run_pip(args: list[str], what: str) -> None:
    """pip with this Python; its progress goes to stdout, a failure it explains becomes one sentence."""
    print(f"wheelhouse: pip {args[0]} ({what})", flush=True)
    done = subprocess.run([sys.executable, "-m", "pip", *args, "--disable-pip-version-check"],
                          stdout=sys.stdout, stderr=subprocess.PIPE, text=True)
    if done.returncode == 0:
        return
    if any(word in done.stderr for word in UNREACHABLE):
        raise Refused("pip cannot reach the package index; run this on a machine that can")
    lacking = NO_WHEEL.search(done.stderr)
    if lacking and "(from versions: none)" in done.stderr:   # what pip says, too, when its retries are off
        raise Refused(f"pip found no {lacking.group(1)} for {what}: the package index does not answer, or has no "
                      "wheel of it for that platform")
    if lacking:
        raise Refused(f"{lacking.group(1)} has no wheel for {what} on the package index, so no wheelhouse was made "
                      "(if the offline machine runs a newer system than the tag says, give its own tag)")
    sys.stderr.write(done.stderr)
    raise Refused(f"pip {args[0]} failed for {what} (exit {done.returncode}; its error is above)")


def oldest_system(wheels: list[Path]) -> dict[str, tuple[tuple[int, int], str]]:
    """{'glibc' or 'macOS': (the oldest version every wheel runs on, the wheel that sets it)}."""
    floors: dict[str, tuple[tuple[int, int], str]] = {}
    for wheel in wheels:
        least: dict[str, tuple[int, int]] = {}
        for system, version in filter(None, map(_system_of, {t.platform for t in parse_wheel_filename(wheel.name)[3]})):
            least[system] = min(least.get(system, version), version)
        for system, version in least.items():
            if version > floors.get(system, ((0, 0), ""))[0]:
                floors[system] = (version, wheel.name)
    return floors


def _system_of(platform: str) -> tuple[str, tuple[int, int]] | None:
    """('glibc', (2, 28)) for manylinux_2_28_x86_64, ('macOS', (12, 0)) for macosx_12_0_arm64, else None."""
    legacy = re.fullmatch(r"(manylinux\d+)_\w+", platform)
    if legacy and legacy.group(1) in LEGACY_MANYLINUX:
        return "glibc", (2, LEGACY_MANYLINUX[legacy.group(1)])
    for system, pattern in (("glibc", r"manylinux_(\d+)_(\d+)_\w+"), ("macOS", r"macosx_(\d+)_(\d+)_\w+")):
        match = re.fullmatch(pattern, platform)
        if match:
            return system, (int(match.group(1)), int(match.group(2)))
    return None


def write_sums(out: Path) -> list[Path]:
    """SHA256SUMS in `sha256sum` format (checked with `sha256sum -c SHA256SUMS` inside the folder)."""
    files = sorted(p for p in out.iterdir() if p.is_file() and p.name != "SHA256SUMS")
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files]
    (out / "SHA256SUMS").write_text("".join(lines), encoding="utf-8")
    return files


if __name__ == "__main__":
    sys.exit(main())
