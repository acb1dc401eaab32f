"""The served API's speed over loopback: creates/s, gets/s, a 10,000-pod list, 100 watchers.

Without ``--kubeconfig`` it starts an embedded server (``python -m mlkube.server``, TLS
and a bearer token, as ``mlkube cluster up`` runs it) in a temporary state directory and
reports its peak memory (VmHWM); with one, it drives that cluster (a kube-apiserver, say)
the same way, in a fresh namespace it removes afterwards, and reports the peak memory of the
processes given with ``--server-pid`` (``make bench-real`` passes kube-apiserver's and
etcd's). The pods name a scheduler nobody runs, so only the API touches them on either side.
The load generator is aiohttp with ``--concurrency`` keep-alive connections.

    python benchmarks/api.py [--kubeconfig PATH [--server-pid PID ...]] [--pods 10000]

The last line is ``creates/s: <number>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from targets import NO_SCHEDULER, EmbeddedServer, Target, peak_rss_mib, target_from_kubeconfig


def small_pod(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": f"bench-{i:06d}", "labels": {"app": "bench", "shard": str(i % 8)}},
        "spec": {
            "schedulerName": NO_SCHEDULER,
            "containers": [
                {
                    "name": "main",
                    "image": "ghcr.io/example/train:1.0",
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
                }
            ],
            "restartPolicy": "Never",
        },
    }


async def _pool(n: int, concurrency: int, fn: Callable[[int], Awaitable[None]]) -> float:
    """Run fn(0..n-1) with ``concurrency`` workers; returns operations per second."""
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            await fn(i)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - start)


async def _run(target: Target, args: argparse.Namespace) -> dict[str, float]:
    figures: dict[str, float] = {}
    ns = f"bench-{uuid.uuid4().hex[:6]}"
    pods = f"/api/v1/namespaces/{ns}/pods"
    connector = aiohttp.TCPConnector(
        limit=args.concurrency + args.watchers + 4, ssl=target.context or False
    )
    async with aiohttp.ClientSession(target.url, headers=target.headers, connector=connector) as s:

        async def check(resp: aiohttp.ClientResponse, *codes: int) -> bytes:
            body = await resp.read()
            if resp.status not in codes:
                raise SystemExit(f"{resp.method} {resp.url}: {resp.status} {body[:300]!r}")
            return body

        namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
        async with s.post("/api/v1/namespaces", json=namespace) as resp:
            await check(resp, 201)
        # kube-apiserver refuses pods until the controller-manager made the namespace's
        # default ServiceAccount.
        deadline = time.monotonic() + 60
        while True:
            async with s.get(f"/api/v1/namespaces/{ns}/serviceaccounts/default") as resp:
                await resp.read()
                if resp.status == 200 or time.monotonic() > deadline:
                    break
            await asyncio.sleep(0.1)

        async def create(i: int) -> None:
            async with s.post(pods, json=small_pod(i)) as resp:
                await check(resp, 201)

        async def get(i: int) -> None:
            async with s.get(f"{pods}/bench-{i % args.pods:06d}") as resp:
                await check(resp, 200)

        figures["creates/s"] = await _pool(args.pods, args.concurrency, create)
        figures["gets/s"] = await _pool(args.gets, args.concurrency, get)

        latencies = []
        for _ in range(3):
            start = time.perf_counter()
            async with s.get(pods) as resp:
                body = await check(resp, 200)
            latencies.append(time.perf_counter() - start)
            assert len(json.loads(body)["items"]) == args.pods
        figures[f"list {args.pods} pods (s, best of 3)"] = min(latencies)

        start = time.perf_counter()
        token, pages = "", 0
        while True:
            query = f"?limit=500&continue={token}" if token else "?limit=500"
            async with s.get(pods + query) as resp:
                page = json.loads(await check(resp, 200))
            pages += 1
            token = page["metadata"].get("continue", "")
            if not token:
                break
        figures[f"list {args.pods} pods in pages of 500 (s)"] = time.perf_counter() - start

        # 100 watchers, each must see every one of the changes
        async with s.get(pods + "?limit=1") as resp:
            rv = json.loads(await check(resp, 200))["metadata"]["resourceVersion"]
        changes = args.watch_events
        ready = asyncio.Event()
        opened = 0

        async def watcher() -> float:
            nonlocal opened
            seen = 0
            url = f"{pods}?watch=true&resourceVersion={rv}&timeoutSeconds=120"
            async with s.get(url) as resp:
                opened += 1
                if opened == args.watchers:
                    ready.set()
                async for _line in resp.content:
                    seen += 1
                    if seen == changes:
                        return time.perf_counter()
            raise SystemExit("a watch ended before it saw every event")

        tasks = [asyncio.create_task(watcher()) for _ in range(args.watchers)]
        await ready.wait()
        start = time.perf_counter()

        async def label(i: int) -> None:
            patch = {"metadata": {"labels": {"seen": str(i)}}}
            async with s.patch(
                f"{pods}/bench-{i:06d}",
                data=json.dumps(patch),
                headers={"Content-Type": "application/merge-patch+json"},
            ) as resp:
                await check(resp, 200)

        await _pool(changes, args.concurrency, label)
        done = await asyncio.gather(*tasks)
        elapsed = max(done) - start
        figures[f"{args.watchers} watchers x {changes} events delivered/s"] = (
            args.watchers * changes / elapsed
        )
        figures[f"{args.watchers} watchers x {changes} events: time to deliver all (s)"] = elapsed

        async with s.delete(pods, json={"propagationPolicy": "Background"}) as resp:
            await check(resp, 200)
        async with s.delete(f"/api/v1/namespaces/{ns}") as resp:
            await check(resp, 200, 202, 409)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", type=Path, default=None)
    parser.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="a server process whose peak memory to report (repeatable; with --kubeconfig)",
    )
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--gets", type=int, default=10_000)
    parser.add_argument("--watchers", type=int, default=100)
    parser.add_argument("--watch-events", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if args.watch_events > args.pods:
        parser.error("--watch-events must not exceed --pods (each event labels one pod)")
    with tempfile.TemporaryDirectory() as tmp:
        if args.kubeconfig is None:
            with EmbeddedServer() as server:
                print(f"server: embedded mlkube at {server.url}")
                target = target_from_kubeconfig(server.kubeconfig, Path(tmp))
                figures = asyncio.run(_run(target, args))
                figures["server peak memory (MiB)"] = peak_rss_mib([server.pid])
        else:
            target = target_from_kubeconfig(args.kubeconfig, Path(tmp))
            print(f"server: {target.url} (from {args.kubeconfig})")
            figures = asyncio.run(_run(target, args))
            if args.server_pid:
                figures["server peak memory (MiB)"] = peak_rss_mib(args.server_pid)
    for name, value in figures.items():
        if name != "creates/s":
            print(f"{name}: {value:.3f}" if value < 100 else f"{name}: {value:.0f}")
    print(f"creates/s: {figures['creates/s']:.0f}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
