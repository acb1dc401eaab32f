"""``mlkube check`` at scale: a 64-pod distributed training Job against a busy cluster.

The ClusterState is built directly as dicts (no API server): 5,000 nodes (1,000 GPU nodes of
8 GPUs, tainted, in pool ``gpu-a100``; 4,000 general nodes of 32 cpu), 50,000 running pods
(GPU pods of 1, 2, 4 or 8 GPUs on the GPU nodes, leaving about 10% of them empty; cpu pods
on the general nodes), each with a ``sim.mlkube.io/run-for`` hint; one team namespace with
a ResourceQuota and a LimitRange. ``check`` admits the Job and its 64 pods, places them one
after another on the snapshot, checks the gang, and (with ``--busy``, every GPU node taken)
steps forward in virtual time to an estimated start. Goal: under 2 s.

Prints figures, then ``check seconds: <number>`` as the last line.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from typing import Any

from mlkube.platform.check import ClusterState, check

GPU = "nvidia.com/gpu"
POOL = "mlkube.io/pool"
NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
STARTED = "2026-01-01T11:00:00Z"


def _node(name: str, pool: str, allocatable: dict[str, str], taints: list[Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, POOL: pool}},
        "spec": {"taints": taints},
        "status": {"allocatable": allocatable, "capacity": allocatable},
    }


def _pod(i: int, node: str, requests: dict[str, str], run_for: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"run-{i}",
            "namespace": "batch",
            "uid": f"uid-{i}",
            "annotations": {"sim.mlkube.io/run-for": run_for},
        },
        "spec": {
            "nodeName": node,
            "containers": [
                {"name": "c", "image": "x", "resources": {"requests": requests, "limits": requests}}
            ],
        },
        "status": {
            "phase": "Running",
            "startTime": STARTED,
            "containerStatuses": [{"name": "c", "state": {"running": {"startedAt": STARTED}}}],
        },
    }


def state(nodes: int, pods: int, gpu_nodes: int, busy: bool, seed: int = 1) -> ClusterState:
    rng = random.Random(seed)
    taint = [{"key": GPU, "value": "present", "effect": "NoSchedule"}]
    gpu = {"cpu": "96", "memory": "1152Gi", GPU: "8", "pods": "110"}
    general = {"cpu": "32", "memory": "128Gi", "pods": "110"}
    node_list = [_node(f"gpu-{i}", "gpu-a100", gpu, taint) for i in range(gpu_nodes)]
    node_list += [_node(f"cpu-{i}", "general", general, []) for i in range(nodes - gpu_nodes)]
    pod_list: list[dict[str, Any]] = []
    # GPU pods fill 90% of the GPU nodes (all of them with --busy), 1-8 GPUs at a time.
    filled = gpu_nodes if busy else gpu_nodes * 9 // 10
    for n in range(filled):
        free = 8
        while free > 0:
            want = min(free, rng.choice((1, 2, 4, 8)))
            free -= want
            requests = {"cpu": str(want * 4), "memory": f"{want * 32}Gi", GPU: str(want)}
            minutes = rng.randrange(10, 600)
            pod_list.append(_pod(len(pod_list), f"gpu-{n}", requests, f"{minutes}m"))
    general_nodes = nodes - gpu_nodes
    i = 0
    while len(pod_list) < pods:
        requests = {"cpu": "500m", "memory": "1Gi"}
        minutes = rng.randrange(10, 600)
        pod_list.append(_pod(len(pod_list), f"cpu-{i % general_nodes}", requests, f"{minutes}m"))
        i += 1
    namespaces = [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": n},
            "status": {"phase": "Active"},
        }
        for n in ("batch", "vision")
    ]
    quota = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "vision", "namespace": "vision"},
        "spec": {"hard": {"requests.nvidia.com/gpu": "1024", "count/jobs.batch": "100"}},
        "status": {
            "hard": {"requests.nvidia.com/gpu": "1024", "count/jobs.batch": "100"},
            "used": {"requests.nvidia.com/gpu": "0", "count/jobs.batch": "0"},
        },
    }
    limit_range = {
        "apiVersion": "v1",
        "kind": "LimitRange",
        "metadata": {"name": "vision", "namespace": "vision"},
        "spec": {
            "limits": [
                {
                    "type": "Container",
                    "default": {"cpu": "1", "memory": "4Gi"},
                    "defaultRequest": {"cpu": "1", "memory": "4Gi"},
                    "max": {"cpu": "96", "memory": "1Ti", GPU: "8"},
                }
            ]
        },
    }
    return ClusterState(
        nodes=node_list,
        pods=pod_list,
        namespaces=namespaces,
        resource_quotas=[quota],
        limit_ranges=[limit_range],
    )


def distributed_job(size: int) -> dict[str, Any]:
    resources = {"cpu": "32", "memory": "256Gi", GPU: "8"}
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "ddp", "namespace": "vision"},
        "spec": {
            "completionMode": "Indexed",
            "completions": size,
            "parallelism": size,
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": {"mlkube.io/kind": "distributed"}},
                "spec": {
                    "restartPolicy": "Never",
                    "tolerations": [{"key": GPU, "operator": "Exists", "effect": "NoSchedule"}],
                    "affinity": {
                        "nodeAffinity": {
                            "requiredDuringSchedulingIgnoredDuringExecution": {
                                "nodeSelectorTerms": [
                                    {
                                        "matchExpressions": [
                                            {"key": POOL, "operator": "In", "values": ["gpu-a100"]}
                                        ]
                                    }
                                ]
                            }
                        }
                    },
                    "containers": [
                        {
                            "name": "train",
                            "image": "pytorch",
                            "resources": {"requests": resources, "limits": resources},
                        }
                    ],
                },
            },
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--pods", type=int, default=50000)
    parser.add_argument("--gpu-nodes", type=int, default=1000)
    parser.add_argument("--size", type=int, default=64, help="pods of the distributed Job")
    parser.add_argument(
        "--busy", action="store_true", help="every GPU node taken: estimate a start"
    )
    args = parser.parse_args()

    built = time.perf_counter()
    cluster = state(args.nodes, args.pods, args.gpu_nodes, args.busy)
    built = time.perf_counter() - built
    print(
        f"state: {len(cluster.nodes)} nodes, {len(cluster.pods)} running pods "
        f"({built:.2f}s to build)"
    )
    start, cpu = time.perf_counter(), time.process_time()
    report = check([distributed_job(args.size)], cluster, now=NOW)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    gang = report.gang
    assert gang is not None
    print(
        f"admitted: {report.admitted}; gang: {gang.placed}/{gang.size} placed, "
        f"feasible: {gang.feasible}"
    )
    if report.estimated_start is not None:
        print(f"estimated start: {report.estimated_start:%Y-%m-%d %H:%M:%S} UTC")
    print(f"cpu seconds: {cpu:.3f}")
    print(f"check seconds: {seconds:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
