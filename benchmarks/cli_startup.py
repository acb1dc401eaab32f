"""Cold start of the ``mlkube`` command: ``--help`` and ``--version`` wall time.

Each run is a fresh process (as a user's shell starts it); the figure is the best of
``--runs`` after one warm-up run that fills the page cache. Also reports how many
modules a ``--help`` imports. Goal (issue 2): ``mlkube --help`` under 150 ms.

    python benchmarks/cli_startup.py [--runs 15]

The last line is ``help ms: <number>``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path


def _mlkube() -> list[str]:
    script = Path(sys.executable).with_name("mlkube")
    if script.exists():
        return [str(script)]
    found = shutil.which("mlkube")
    return [found] if found else [sys.executable, "-m", "mlkube"]


def _best_ms(cmd: list[str], runs: int) -> float:
    subprocess.run(cmd, capture_output=True, check=True)  # warm-up
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def _modules_imported_by_help() -> int:
    probe = (
        "import sys, json\n"
        "from mlkube.cli.main import cli\n"
        "try:\n    cli(['--help'], prog_name='mlkube')\nexcept SystemExit:\n    pass\n"
        "print(json.dumps(len(sys.modules)), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return int(json.loads(out.stderr))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    cmd = _mlkube()
    bare = _best_ms([sys.executable, "-c", "pass"], args.runs)
    version = _best_ms([*cmd, "--version"], args.runs)
    help_ms = _best_ms([*cmd, "--help"], args.runs)
    print(f"python -c pass ms: {bare:.1f}")
    print(f"modules imported by --help: {_modules_imported_by_help()}")
    print(f"version ms: {version:.1f}")
    print(f"help ms: {help_ms:.1f}")


if __name__ == "__main__":
    main()
