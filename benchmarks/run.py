"""``make bench``: run every benchmark and print each one's figures.

Each benchmark is a standalone script whose last line is ``<metric>: <number>``; this
runner runs them in turn (with the arguments below) and prints a summary. Record the
figures in BENCHMARKS.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (script, arguments) in the order they run.
BENCHMARKS: list[tuple[str, list[str]]] = [
    ("cli_startup.py", []),
    ("store.py", []),
    ("api.py", []),
    ("lifecycle.py", []),
    ("lifecycle_floor.py", []),
    ("scheduler.py", ["--nodes", "500", "--pods", "1000"]),
    ("scheduler.py", ["--nodes", "5000", "--pods", "10000"]),
    ("scheduler.py", ["--nodes", "5000", "--pods", "50000"]),
    ("scheduler.py", ["--trace", str(HERE.parent.parent / "shared" / "data" / "openb")]),
    ("check.py", []),
    ("check.py", ["--busy"]),
]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only these scripts (e.g. store.py)")
    args = parser.parse_args()

    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}")
    summary: list[tuple[str, str]] = []
    failed = 0
    for script, extra in BENCHMARKS:
        if args.only and script not in args.only:
            continue
        path = HERE / script
        if not path.exists():
            continue
        print(f"\n== {script} {' '.join(extra)}", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(path), *extra], text=True, capture_output=True)
        elapsed = time.perf_counter() - start
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stdout.write(proc.stderr)
            summary.append((script, f"FAILED (exit {proc.returncode})"))
            failed += 1
            continue
        lines = proc.stdout.strip().splitlines()
        summary.append((script, f"{lines[-1] if lines else '(no output)'}  [{elapsed:.1f}s]"))
    print("\n== summary")
    for script, result in summary:
        print(f"  {script:24} {result}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
