"""Re-make every picture of the user guide: each make_*.py script in a process of its own, at each size.

    python docs/screenshots/make_all.py                       # the guide's sizes and 1024×700
    python docs/screenshots/make_all.py --size 1024x700       # only the laptop size
    python docs/screenshots/make_all.py --size 1440x900 --out /tmp/shots-1440   # to look at, not for the guide
    python docs/screenshots/make_all.py --only training monitor

A size is WxH, or "guide" for each script's own default (1280×800; the Team place and the guide's window
1440×900). Pictures at a script's default size are <name>.png, at 1024×700 <name>_small.png, at any other
size <name>_WxH.png (shots.py names them). The scripts run --jobs at a time (default 2: several train
models in worker processes); one that fails is reported at the end and the others still run. Exit 1 if
any failed. make_team_database_screenshots.py needs PostgreSQL's programs (initdb, pg_ctl).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from shots import SMALL_SIZE, parse_size  # noqa: E402  (shots.py lives beside this file)

GUIDE = "guide"


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("make_*.py") if p.name != Path(__file__).name)


def short(script: Path) -> str:
    """make_training_screenshots.py → training; make_screenshots.py → main."""
    name = script.stem.removeprefix("make_").removesuffix("screenshots").rstrip("_")
    return name or "main"


def size_arg(text: str) -> str:
    if text.lower() == GUIDE:
        return GUIDE
    width, height = parse_size(text)
    return f"{width}x{height}"


def run(script: Path, size: str, out: Path | None) -> tuple[str, int, float, str]:
    command = [sys.executable, str(script)]
    if size != GUIDE:
        command += ["--size", size]
    if out is not None:
        command += ["--out", str(out)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=HERE.parents[1], capture_output=True, text=True)
    label = f"{script.name} at {size}"
    return label, done.returncode, time.monotonic() - started, (done.stdout + done.stderr).strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", dest="sizes", action="append", type=size_arg, metavar="WxH",
                        help=f"a size to make every picture at; repeat for more (default: {GUIDE} and "
                             f"{SMALL_SIZE[0]}x{SMALL_SIZE[1]})")
    parser.add_argument("--out", type=Path, help="write the pictures here instead of docs/screenshots/")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="only these scripts: " + ", ".join(short(s) for s in scripts()))
    parser.add_argument("--jobs", type=int, default=2, help="scripts run at once (default 2)")
    args = parser.parse_args(argv)

    sizes = args.sizes or [GUIDE, f"{SMALL_SIZE[0]}x{SMALL_SIZE[1]}"]
    chosen = scripts()
    if args.only:
        unknown = set(args.only) - {short(s) for s in chosen}
        if unknown:
            parser.error(f"no script named {', '.join(sorted(unknown))}")
        chosen = [s for s in chosen if short(s) in args.only]
    out = args.out.resolve() if args.out else None

    failed = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        jobs = [pool.submit(run, script, size, out) for size in sizes for script in chosen]
        for job in jobs:
            label, code, seconds, output = job.result()
            print(f"{'ok    ' if code == 0 else 'FAILED'} {label} ({seconds:.0f} s)", flush=True)
            if code == 0:
                print("\n".join(f"    {line}" for line in output.splitlines() if line.startswith("wrote ")))
            else:
                failed.append(label)
                print("\n".join(f"    {line}" for line in output.splitlines()[-25:]), flush=True)
    if failed:
        print(f"{len(failed)} of {len(jobs)} failed: {', '.join(failed)}")
        return 1
    print(f"all {len(jobs)} done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
