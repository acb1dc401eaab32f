"""Scheduler throughput: kube-scheduler's default profile in-process, pods bound into the snapshot.

Two shapes:

- ``--nodes N --pods P`` (default 5000 / 50000): scheduler_perf's SchedulingBasic shape. Nodes
  like ``node-default.yaml`` (4 cpu, 32Gi, 110 pods), pods like ``pod-default.yaml`` (100m cpu,
  500Mi memory), every pod fits; each placed pod is assumed into the snapshot.
- ``--trace DIR``: the openb production GPU trace (DIR/README.md): 1,523 nodes from
  ``openb_node_list_all_node.csv`` (a ``gpu.mlkube.io/model`` label per GPU model), 8,152 pods
  from ``openb_pod_list_gpuspec05.csv`` replayed in time order, each task arriving at its
  ``creation_time`` and leaving at its ``deletion_time``; ``gpu_spec`` becomes required node
  affinity on the model label. A GPU-sharing task (``gpu_milli`` < 1000) takes one whole
  ``nvidia.com/gpu``: the default scheduler has no GPU sharing.

Prints figures, then ``pods/s: <number>`` as the last line. ``--reference`` uses the per-node
path instead of the vectorised one.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import sys
import time
from pathlib import Path
from typing import Any

from mlkube.engine.scheduler import Scheduler, Snapshot

GPU = "nvidia.com/gpu"
MODEL_LABEL = "gpu.mlkube.io/model"


def basic_nodes(count: int) -> list[dict[str, Any]]:
    return [
        {
            "metadata": {"name": f"node-{i}", "labels": {"kubernetes.io/hostname": f"node-{i}"}},
            "spec": {},
            "status": {"allocatable": {"cpu": "4", "memory": "32Gi", "pods": "110"}},
        }
        for i in range(count)
    ]


def basic_pod(i: int) -> dict[str, Any]:
    return {
        "metadata": {"name": f"pod-{i}", "namespace": "sched-0", "uid": f"pod-{i}"},
        "spec": {
            "containers": [
                {
                    "name": "pause",
                    "image": "registry.k8s.io/pause:3.10",
                    "resources": {"requests": {"cpu": "100m", "memory": "500Mi"}},
                }
            ]
        },
    }


def run_basic(nodes: int, pods: int, vectorised: bool) -> float:
    snapshot = Snapshot(basic_nodes(nodes))
    sched = Scheduler(snapshot, vectorised=vectorised)
    workload = [basic_pod(i) for i in range(pods)]
    placed = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    for pod in workload:
        if sched.schedule_one(pod).node_name is not None:
            placed += 1
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    print(f"SchedulingBasic: {nodes} nodes, {pods} pods, {placed} placed")
    print(f"wall {elapsed:.2f} s, cpu {cpu:.2f} s ({pods / cpu:.0f} pods per cpu-second)")
    return pods / elapsed


def trace_nodes(directory: Path) -> list[dict[str, Any]]:
    out = []
    with (directory / "openb_node_list_all_node.csv").open() as f:
        for row in csv.DictReader(f):
            labels = {"kubernetes.io/hostname": row["sn"]}
            allocatable = {
                "cpu": f"{row['cpu_milli']}m",
                "memory": f"{row['memory_mib']}Mi",
                "pods": "110",
            }
            if int(row["gpu"]):
                allocatable[GPU] = row["gpu"]
                labels[MODEL_LABEL] = row["model"]
            out.append(
                {
                    "metadata": {"name": row["sn"], "labels": labels},
                    "spec": {},
                    "status": {"allocatable": allocatable},
                }
            )
    return out


def trace_pod(row: dict[str, str]) -> dict[str, Any]:
    requests = {"cpu": f"{row['cpu_milli']}m", "memory": f"{row['memory_mib']}Mi"}
    limits: dict[str, str] = {}
    if int(row["num_gpu"]):
        requests[GPU] = limits[GPU] = row["num_gpu"]
    spec: dict[str, Any] = {
        "containers": [
            {
                "name": "task",
                "image": "task:1",
                "resources": {"requests": requests, "limits": limits},
            }
        ]
    }
    if row["gpu_spec"]:
        models = row["gpu_spec"].split("|")
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": MODEL_LABEL, "operator": "In", "values": models}
                            ]
                        }
                    ]
                }
            }
        }
    return {
        "metadata": {"name": row["name"], "namespace": "openb", "uid": row["name"]},
        "spec": spec,
    }


def run_trace(directory: Path, vectorised: bool) -> float:
    nodes = trace_nodes(directory)
    with (directory / "openb_pod_list_gpuspec05.csv").open() as f:
        rows = list(csv.DictReader(f))
    # (time, order, kind, index): departures before arrivals at the same instant.
    events: list[tuple[int, int, int, int]] = []
    for i, row in enumerate(rows):
        events.append((int(row["creation_time"]), 1, i, i))
        if row["deletion_time"]:
            events.append((int(row["deletion_time"]), 0, i, i))
    heapq.heapify(events)
    pods = [trace_pod(row) for row in rows]
    snapshot = Snapshot(nodes)
    sched = Scheduler(snapshot, vectorised=vectorised)
    placed = failed = 0
    began, cpu_began = time.perf_counter(), time.process_time()
    while events:
        _, kind, _, i = heapq.heappop(events)
        if kind == 0:
            snapshot.remove_pod(pods[i]["metadata"]["uid"])
        elif sched.schedule_one(pods[i]).node_name is not None:
            placed += 1
        else:
            failed += 1
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    print(
        f"openb trace: {len(nodes)} nodes, {len(pods)} pods, {placed} placed, "
        f"{failed} unschedulable on arrival"
    )
    print(f"wall {elapsed:.2f} s, cpu {cpu:.2f} s ({len(pods) / cpu:.0f} pods per cpu-second)")
    return len(pods) / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=50000)
    parser.add_argument("--trace", type=Path, help="an openb directory (replay that trace)")
    parser.add_argument("--reference", action="store_true", help="use the per-node path")
    args = parser.parse_args()
    vectorised = not args.reference
    if args.trace is not None:
        rate = run_trace(args.trace, vectorised)
    else:
        rate = run_basic(args.nodes, args.pods, vectorised)
    print(f"pods/s: {rate:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
