"""Scheduler throughput through the API: nodes and unbound pods created over HTTP, timed
until a watch has seen every pod bound.

The shapes are ``scheduler.py``'s SchedulingBasic (scheduler_perf's ``node-default.yaml``:
4 cpu, 32Gi, 110 pods; ``pod-default.yaml``: 100m cpu, 500Mi), but nothing is in-process:
the nodes are KWOK fake nodes (annotation ``kwok.x-k8s.io/node=fake``, no taint), created
``--concurrency`` at a time, and the benchmark waits until the cluster reports every one
Ready; then it opens a watch on the namespace, creates the pods ``--concurrency`` at a time
and stops the clock when the watch has shown each pod with a ``spec.nodeName``. So the figure
is what a user sees: API writes, the scheduler's informers, its cycle and the binding
writes. On a real control plane that includes kube-scheduler's client rate limit (its
default ``clientConnection``: 50 requests/s, burst 100), which paces the bindings.

Without ``--kubeconfig`` it starts an embedded server (as ``api.py`` does); with one it
uses that cluster and removes its namespace and nodes afterwards.

    python benchmarks/scheduler_api.py [--kubeconfig PATH] [--nodes 100] [--pods 1000]

The last line is ``pods/s: <number>`` (first pod created to last pod bound).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from mlkube.testing.controlplane import fake_node
from targets import EmbeddedServer, Target, target_from_kubeconfig

_BENCH_LABEL = "bench.mlkube.io/run"


def node(name: str, run: str) -> dict[str, Any]:
    return fake_node(
        name,
        capacity={"cpu": "4", "memory": "32Gi", "pods": "110"},
        labels={_BENCH_LABEL: run},
        taints=[],
    )


def pod(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"pod-{i:06d}"},
        "spec": {
            "terminationGracePeriodSeconds": 0,
            "containers": [
                {
                    "name": "pause",
                    "image": "registry.k8s.io/pause:3.10",
                    "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}},
                }
            ],
        },
    }


def _ready(obj: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (obj.get("status") or {}).get("conditions") or []
    )


async def _pool(n: int, concurrency: int, fn: Callable[[int], Awaitable[None]]) -> None:
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await fn(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _run(target: Target, args: argparse.Namespace) -> dict[str, float | int]:
    run = uuid.uuid4().hex[:6]
    ns = f"sched-{run}"
    selector = f"labelSelector={_BENCH_LABEL}%3D{run}"
    connector = aiohttp.TCPConnector(limit=args.concurrency + 4, ssl=target.context or False)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=args.timeout)
    async with aiohttp.ClientSession(
        target.url, headers=target.headers, connector=connector, timeout=timeout
    ) as s:

        async def call(method: str, path: str, body: Any = None, *codes: int) -> Any:
            async with s.request(method, path, json=body) as resp:
                raw = await resp.read()
                if resp.status not in (codes or (200, 201)):
                    raise SystemExit(f"{method} {path}: {resp.status} {raw[:300]!r}")
                return json.loads(raw) if raw else None

        try:
            await call("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:  # the real API wants the default ServiceAccount
                async with s.get(f"/api/v1/namespaces/{ns}/serviceaccounts/default") as resp:
                    await resp.read()
                    if resp.status == 200:
                        break
                await asyncio.sleep(0.1)

            # 1. nodes, until every one is Ready
            began = time.perf_counter()
            await _pool(
                args.nodes,
                args.concurrency,
                lambda i: call("POST", "/api/v1/nodes", node(f"bench-{run}-{i:05d}", run)),
            )
            while True:
                listed = await call("GET", f"/api/v1/nodes?{selector}")
                if sum(_ready(n) for n in listed["items"]) == args.nodes:
                    break
                if time.perf_counter() - began > args.timeout:
                    raise SystemExit(f"the {args.nodes} nodes were not Ready in {args.timeout}s")
                await asyncio.sleep(0.2)
            nodes_ready = time.perf_counter() - began

            # 2. a watch from now, then the pods; the clock stops at the last binding seen
            pods_path = f"/api/v1/namespaces/{ns}/pods"
            rv = (await call("GET", f"{pods_path}?limit=1"))["metadata"]["resourceVersion"]
            bound: set[str] = set()
            watching = asyncio.Event()
            rewatches = 0

            async def watch() -> float:
                # kube-apiserver ends a watch whose reader falls behind; an informer then
                # watches again from the last resourceVersion it saw (and re-lists on 410).
                nonlocal rv, rewatches
                deadline = time.perf_counter() + args.timeout
                while time.perf_counter() < deadline:
                    url = f"{pods_path}?watch=true&resourceVersion={rv}&timeoutSeconds=300"
                    async with s.get(url) as resp:
                        watching.set()
                        gone = resp.status == 410
                        async for line in resp.content:
                            event = json.loads(line)
                            obj = event["object"]
                            if event["type"] == "ERROR":
                                gone = obj.get("code") == 410
                                break
                            rv = obj["metadata"]["resourceVersion"]
                            if (obj.get("spec") or {}).get("nodeName"):
                                bound.add(obj["metadata"]["name"])
                                if len(bound) == args.pods:
                                    return time.perf_counter()
                    rewatches += 1
                    if gone:
                        listed = await call("GET", pods_path)
                        rv = listed["metadata"]["resourceVersion"]
                        bound.update(
                            p["metadata"]["name"]
                            for p in listed["items"]
                            if (p.get("spec") or {}).get("nodeName")
                        )
                        if len(bound) == args.pods:
                            return time.perf_counter()
                return float("nan")

            watcher = asyncio.create_task(watch())
            await watching.wait()
            start = time.perf_counter()
            await _pool(
                args.pods,
                args.concurrency,
                lambda i: call("POST", pods_path, pod(i)),
            )
            created = time.perf_counter() - start
            done = await watcher
            if math.isnan(done):  # the deadline passed
                raise SystemExit(f"{len(bound)} of {args.pods} pods bound in {args.timeout}s")
            elapsed = done - start
        finally:
            await call("DELETE", f"/api/v1/namespaces/{ns}", None, 200, 202, 404)
            await call("DELETE", f"/api/v1/nodes?{selector}", None, 200, 404, 405)
    return {
        "watches restarted": rewatches,
        f"{args.nodes} nodes created and Ready (s)": nodes_ready,
        f"{args.pods} pods created (s)": created,
        f"{args.pods} pods on {args.nodes} nodes: first created to last bound (s)": elapsed,
        "pods/s": args.pods / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", type=Path, default=None)
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--timeout", type=int, default=600, help="seconds to wait for bindings")
    args = parser.parse_args()
    if args.pods > args.nodes * 40:
        parser.error(f"--pods: {args.nodes} nodes hold at most {args.nodes * 40} such pods")
    with tempfile.TemporaryDirectory() as tmp:
        if args.kubeconfig is None:
            with EmbeddedServer() as server:
                print(f"server: embedded mlkube at {server.url}")
                target = target_from_kubeconfig(server.kubeconfig, Path(tmp))
                figures = asyncio.run(_run(target, args))
        else:
            target = target_from_kubeconfig(args.kubeconfig, Path(tmp))
            print(f"server: {target.url} (from {args.kubeconfig})")
            figures = asyncio.run(_run(target, args))
    for name, value in figures.items():
        if name != "pods/s":
            print(f"{name}: {value:.2f}" if isinstance(value, float) else f"{name}: {value}")
    print(f"pods/s: {figures['pods/s']:.0f}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
