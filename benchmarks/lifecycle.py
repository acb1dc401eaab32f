"""Simulated pod lifecycles per second on a 1,000-node embedded cluster, in virtual time.

A lifecycle is one pod created already bound (``spec.nodeName``), started by its node's
simulated kubelet (Pending -> Running), exiting after ``sim.mlkube.io/run-for``
(Running -> Succeeded) and deleted by the client. Pods arrive in waves of ``--wave`` per
virtual second; the figure is lifecycles over the wall time from the first create to the
last delete (the nodes' registration is excluded and reported apart). Goal (issue 5):
10,000 lifecycles/s.

    python benchmarks/lifecycle.py [--nodes 1000] [--pods 20000] [--wave 1000]
                                   [--bare] [--profile]

``--bare`` runs the kubelets alone (no quota, node lifecycle or taint eviction
controllers). The last line is ``lifecycles/s: <number>``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import deque

from mlkube.api.registry import lookup
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import DEFAULT_CONTROLLERS, Cluster, ControllerFactory
from mlkube.engine.controllers.nodelifecycle import node_lifecycle
from mlkube.engine.controllers.tainteviction import taint_eviction
from mlkube.engine.kubelet import RUN_FOR, kubelets

PODS = lookup("pods")
RUN_SECONDS = 10


def build(nodes: int, bare: bool) -> Cluster:
    ours = (kubelets, node_lifecycle, taint_eviction)
    others = [f for f in DEFAULT_CONTROLLERS if f not in ours]
    factories: list[ControllerFactory] = [kubelets] if bare else [*others, *ours]
    c = Cluster(clock=FakeClock(), seed=0, controllers=factories)
    for i in range(nodes):
        c.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{i:04d}"}})
    c.run_until_idle()
    return c


def pod(i: int, nodes: int) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"train-{i:06d}",
            "namespace": "default",
            "annotations": {RUN_FOR: f"{RUN_SECONDS}s"},
        },
        "spec": {
            "nodeName": f"node-{i % nodes:04d}",
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": "ghcr.io/example/train:1.0"}],
        },
    }


def run(c: Cluster, pods: int, nodes: int, wave: int) -> int:
    """Create the pods wave by wave; once a wave has run, check that each of its pods
    succeeded and delete it. Returns the lifecycles completed."""
    created = done = 0
    waves: deque[tuple[float, list[str]]] = deque()
    while done < pods:
        names = []
        for _ in range(min(wave, pods - created)):
            body = pod(created, nodes)
            c.api.create(PODS, body, namespace="default")
            names.append(body["metadata"]["name"])  # type: ignore[index]
            created += 1
        if names:
            waves.append((c.clock.monotonic() + RUN_SECONDS + 1, names))
        c.advance(1.0)
        while waves and waves[0][0] <= c.clock.monotonic():
            for name in waves.popleft()[1]:
                phase = c.api.get(PODS, "default", name)["status"]["phase"]
                if phase != "Succeeded":
                    raise SystemExit(f"pod {name} is {phase} after its run: the kubelet is behind")
                c.api.delete(PODS, "default", name)
                done += 1
    return done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--pods", type=int, default=20000)
    parser.add_argument("--wave", type=int, default=1000)
    parser.add_argument("--bare", action="store_true")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    start = time.perf_counter()
    c = build(args.nodes, args.bare)
    setup = time.perf_counter() - start
    print(f"nodes: {args.nodes} registered in {setup:.2f} s wall")

    profiler = cProfile.Profile() if args.profile else None
    start = time.perf_counter()
    cpu = time.process_time()
    if profiler is not None:
        profiler.enable()
    done = run(c, args.pods, args.nodes, args.wave)
    if profiler is not None:
        profiler.disable()
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu
    virtual = c.clock.monotonic()
    print(f"pods: {done} in {wall:.2f} s wall, {virtual:.0f} s virtual")
    print(f"cpu: {cpu / done * 1e3:.2f} ms per lifecycle ({done / cpu:.0f} per CPU second)")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    print(f"lifecycles/s: {done / wall:.0f}")


if __name__ == "__main__":
    main()
