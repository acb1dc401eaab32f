"""``make bench-real``: the API and scheduler benchmarks against the embedded cluster and
against real Kubernetes, on this machine, in one run, side by side with ratios.

1. An embedded server (``python -m mlkube.server``) is started; ``api.py`` and each
   ``scheduler_api.py`` shape run against it through its kubeconfig; it is stopped.
2. A :class:`~mlkube.testing.controlplane.RealCluster` (etcd, kube-apiserver,
   kube-controller-manager, kube-scheduler, kwok at the pinned release, built once by
   ``tools/kubecluster/build.sh``) is started and the same scripts run against it.
3. A table: each figure on both sides and mlkube ÷ Kubernetes, with which side is better.

Server memory is the peak RSS (VmHWM) of the mlkube server process, against the sum of
kube-apiserver's and etcd's. Each benchmark is a fresh client process; the API benchmark runs
first on each fresh server so its memory figure is not inflated by the scheduler shapes.

    python benchmarks/bench_real.py [--quick] [--markdown]

The last line is ``creates/s ratio (mlkube / Kubernetes): <number>``.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from mlkube.testing.controlplane import RealCluster, pinned_versions
from targets import EmbeddedServer, parse_figures

HERE = Path(__file__).resolve().parent

#: (nodes, pods) shapes of ``scheduler_api.py``; small enough for the whole run to stay
#: well under 15 minutes on two busy cores.
SHAPES: list[tuple[int, int]] = [(100, 1000), (500, 2000)]
QUICK_SHAPES: list[tuple[int, int]] = [(20, 200)]
QUICK_API = ["--pods", "1000", "--gets", "1000", "--watchers", "20", "--watch-events", "50"]

Run = Callable[[str, list[str]], dict[str, float]]


def _runner(kubeconfig: Path, label: str) -> Run:
    def run(script: str, extra: list[str]) -> dict[str, float]:
        argv = [sys.executable, str(HERE / script), "--kubeconfig", str(kubeconfig), *extra]
        print(f"\n== {label}: {script} {' '.join(extra)}", flush=True)
        began = time.perf_counter()
        proc = subprocess.run(argv, text=True, capture_output=True, cwd=HERE)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stdout.write(proc.stderr)
            print(f"   FAILED (exit {proc.returncode})")
            return {}
        print(f"   [{time.perf_counter() - began:.1f}s]", flush=True)
        return parse_figures(proc.stdout)

    return run


def _suite(run: Run, api_args: list[str], shapes: list[tuple[int, int]]) -> dict[str, float]:
    api = run("api.py", api_args)
    figures = {"creates/s": api.pop("creates/s")} if "creates/s" in api else {}
    figures.update(api)
    for nodes, pods in shapes:
        shape = run("scheduler_api.py", ["--nodes", str(nodes), "--pods", str(pods)])
        if "pods/s" in shape:
            shape[f"scheduled pods/s ({nodes} nodes, {pods} pods)"] = shape.pop("pods/s")
        restarts = shape.pop("watches restarted", 0)
        if restarts:  # worth a row only when the server ended the benchmark's watch
            shape[f"watches restarted ({nodes} nodes, {pods} pods)"] = restarts
        figures.update(shape)
    return figures


def _higher_is_better(name: str) -> bool:
    return "/s" in name


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value < 10 else f"{value:.1f}"


def _table(
    embedded: dict[str, float], real: dict[str, float], markdown: bool
) -> tuple[list[str], float | None]:
    rows: list[tuple[str, str, str, str, str]] = []
    for name in dict.fromkeys([*embedded, *real]):
        e, r = embedded.get(name), real.get(name)
        ratio = e / r if e is not None and r else None
        better = "-"
        if ratio is not None:
            mlkube_wins = ratio > 1 if _higher_is_better(name) else ratio < 1
            better = "mlkube" if mlkube_wins else "Kubernetes"
            if 0.95 <= ratio <= 1.05:
                better = "even"
        rows.append((name, _fmt(e), _fmt(r), f"{ratio:.2f}" if ratio else "-", better))
    head = ("figure", "mlkube embedded", "Kubernetes", "mlkube / Kubernetes", "better")
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        widths = [max(len(str(x[i])) for x in [head, *rows]) for i in range(len(head))]
        lines = [
            "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
            for row in [head, *rows]
        ]
    creates = embedded.get("creates/s"), real.get("creates/s")
    headline = creates[0] / creates[1] if creates[0] is not None and creates[1] else None
    return lines, headline


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small shapes (a smoke run)")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    api_args = QUICK_API if args.quick else []
    shapes = QUICK_SHAPES if args.quick else SHAPES
    version = pinned_versions().get("KUBERNETES_VERSION", "?")

    began = time.perf_counter()
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {os.cpu_count()} cores, {_cpu_model()}, Python {platform.python_version()}")
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    with EmbeddedServer() as server:
        run = _runner(server.kubeconfig, "embedded")
        embedded = _suite(run, [*api_args, "--server-pid", str(server.pid)], shapes)
    with RealCluster() as cluster:
        pids = [cluster.pid("kube-apiserver"), cluster.pid("etcd")]
        run = _runner(cluster.kubeconfig, f"Kubernetes {version}")
        real = _suite(run, [*api_args, *(f"--server-pid={pid}" for pid in pids)], shapes)

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    took = time.perf_counter() - began
    print(f"\n== side by side (Kubernetes {version}; load average at end: {load}; {took:.0f}s)")
    lines, headline = _table(embedded, real, args.markdown)
    print("\n".join(lines))
    if headline is None:
        print("creates/s ratio (mlkube / Kubernetes): unavailable (a benchmark failed)")
        return 1
    print(f"creates/s ratio (mlkube / Kubernetes): {headline:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
