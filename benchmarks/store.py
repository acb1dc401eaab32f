"""The store's speed and size: creates/s, gets/s, a 10,000-pod list, watch fan-out, memory.

All in-process, on a FakeClock. Goals (issue: store): 20,000 creates/s in-process and
under 3 KiB per stored small pod beyond its JSON size.

    python benchmarks/store.py [--pods 10000] [--watchers 10]

The last line is ``creates/s: <number>`` (in-memory).
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from mlkube.api import registry
from mlkube.engine.clock import FakeClock
from mlkube.engine.store import Store

PODS = registry.lookup("pods")


def small_pod(i: int) -> dict[str, Any]:
    """A small, realistic pod: labels, one container with requests, a node and a phase."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"train-{i:06d}",
            "namespace": f"team-{i % 8}",
            "labels": {"app": "train", "job-name": f"job-{i // 100}"},
        },
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": "ghcr.io/example/train:1.0",
                    "resources": {"requests": {"cpu": "1", "memory": "1Gi"}},
                }
            ],
            "nodeName": f"node-{i % 50}",
            "restartPolicy": "Never",
        },
        "status": {"phase": "Running"},
    }


def _rate(n: int, fn: Callable[[int], object]) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def bench_creates(n: int, path: Path | None) -> tuple[float, Store]:
    store = Store(FakeClock(), path=path)
    pods = [small_pod(i) for i in range(n)]
    return _rate(n, lambda i: store.create(PODS, pods[i])), store


def bench_gets(store: Store, n: int) -> float:
    keys = [(f"team-{i % 8}", f"train-{i:06d}") for i in range(n)]
    return _rate(n, lambda i: store.get(PODS, *keys[i]))


def bench_list_ms(store: Store, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        store.list(PODS)
        best = min(best, time.perf_counter() - start)
    return best * 1000


def bench_fanout(n: int, watchers: int) -> float:
    """Events delivered per second: n creates, each fanned out to every watcher."""
    store = Store(FakeClock())
    watches = [store.watch(PODS, resource_version="0") for _ in range(watchers)]
    pods = [small_pod(i) for i in range(n)]
    start = time.perf_counter()
    for pod in pods:
        store.create(PODS, pod)
    delivered = sum(len(w.drain()) for w in watches)
    elapsed = time.perf_counter() - start
    assert delivered == n * watchers
    return delivered / elapsed


def bench_memory(n: int, watch_history: int) -> tuple[float, float, float]:
    """(peak and held bytes per pod beyond its stored JSON, mean JSON size of the input).

    tracemalloc measures everything the store allocates for ``n`` creates (the input pods
    are built before tracing starts). The stored JSON counts the server-owned fields the
    store adds (uid, resourceVersion, creationTimestamp); the rest is the index entry, the
    key and, with a history, the ring's change record for the pod's creation.
    """
    pods = [small_pod(i) for i in range(n)]
    json_size = sum(len(msgspec.json.encode(p)) for p in pods) / n
    gc.collect()
    tracemalloc.start()
    store = Store(FakeClock(), watch_history=watch_history)
    for pod in pods:
        store.create(PODS, pod)
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del store
    stored_json = json_size + len(',"uid":"00000000-0000-0000-0000-000000000000"')
    stored_json += len(',"resourceVersion":"10000","creationTimestamp":"2026-01-01T00:00:00Z"')
    return peak / n - stored_json, held / n - stored_json, json_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--watchers", type=int, default=10)
    args = parser.parse_args()
    n = args.pods

    memory_rate, store = bench_creates(n, None)
    gets = bench_gets(store, n)
    list_ms = bench_list_ms(store)
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_rate, sqlite_store = bench_creates(n, Path(tmp) / "bench.db")
        sqlite_store.close()
    fanout = bench_fanout(n, args.watchers)
    peak, held, json_size = bench_memory(n, watch_history=n)
    _, held_no_ring, _ = bench_memory(n, watch_history=1)

    print(f"pods: {n}, small pod JSON: {json_size:.0f} bytes")
    print(f"creates/s (SQLite WAL, synchronous=NORMAL): {sqlite_rate:,.0f}")
    print(f"gets/s: {gets:,.0f}")
    print(f"list of {n} pods: {list_ms:.1f} ms")
    print(f"watch fan-out to {args.watchers} watchers: {fanout:,.0f} events/s delivered")
    print(
        f"peak memory per stored pod beyond its JSON: {peak:,.0f} bytes ({peak / 1024:.2f} KiB); "
        f"held after: {held:,.0f} bytes with every creation in the watch history, "
        f"{held_no_ring:,.0f} bytes without"
    )
    print(f"creates/s: {memory_rate:.0f}")


if __name__ == "__main__":
    main()
