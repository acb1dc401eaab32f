"""Differential scheduling: the same random cluster and pods on the embedded cluster and on a
real control plane, compared decision by decision.

A case (from a seed) is a few nodes (labels, taints, capacities incl. GPUs, sometimes
cordoned) and a few pods (requests, nodeSelector, required and preferred node affinity,
tolerations), created one at a time. For each pod both clusters must agree on:

1. feasibility (scheduled, or Unschedulable);
2. when unschedulable, the PodScheduled message, word for word;
3. when scheduled, the node, or, where several nodes share the top score, that each cluster
   chose one of the top-scored nodes of its own state (the top set is computed by
   mlkube's scheduler from that cluster's nodes and bound pods, with ``explain=True``).

The real control plane is asynchronous, so :func:`run_real` waits for exact conditions
instead of sleeping:

- before a case, that no pod anywhere is waiting to be scheduled: a pending pod of an
  earlier case (its namespace takes ~5 s to be deleted) would be placed on this case's
  nodes the moment they appear and take their room (seeds 119 and 191 disagreed that way);
- before the first pod, that kube-scheduler's cache holds exactly the case's nodes: a probe
  pod that no node can hold, tolerating every taint and limited to the case's nodes, must be
  refused with ``0/K nodes are available: K Insufficient cpu.`` (K = the case's nodes);
- after a case, that its pods are gone, so none of them outlives it.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mlkube.client import ApiError, KubeClient
from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster
from mlkube.engine.scheduler import Scheduler, Snapshot

__all__ = [
    "Case",
    "Decision",
    "compare",
    "generate",
    "probe_pod",
    "run_embedded",
    "run_real",
    "scheduler_sees_exactly",
]

_POOLS = ("a100", "t4", "general")
#: More CPU than any generated node has: the probe pod fits nowhere.
_PROBE_CPU = "1000"
_PROBE_PREFIX = "scheduler-cache-probe"
#: How long the real control plane may take to reach each awaited condition.
_TIMEOUT_SECONDS = 60.0
_TAINTS = (
    {"key": "nvidia.com/gpu", "value": "present", "effect": "NoSchedule"},
    {"key": "dedicated", "value": "ml", "effect": "NoSchedule"},
    {"key": "spot", "value": "true", "effect": "PreferNoSchedule"},
)


@dataclass(frozen=True)
class Case:
    seed: int
    nodes: list[dict[str, Any]]
    pods: list[dict[str, Any]]


@dataclass
class Decision:
    """Where a pod went (``node``) or why not (``message``), and the top-scored nodes."""

    pod: str
    node: str | None = None
    message: str | None = None
    top: frozenset[str] = field(default_factory=frozenset)


def generate(seed: int, prefix: str) -> Case:
    """A small random cluster and pods; names start with ``prefix`` (unique per case)."""
    rng = random.Random(seed)
    nodes = []
    for i in range(rng.randint(1, 5)):
        gpus = rng.choice((0, 0, 4, 8))
        cpu, mem = rng.choice((4, 8, 16, 32)), rng.choice((16, 32, 64, 128))
        capacity = {"cpu": str(cpu), "memory": f"{mem}Gi", "pods": "110"}
        if gpus:
            capacity["nvidia.com/gpu"] = str(gpus)
        taints = [t for t in _TAINTS if rng.random() < 0.25]
        node: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": f"{prefix}-n{i}",
                "labels": {"mlkube.io/pool": rng.choice(_POOLS), "zone": rng.choice("xy")},
            },
            "spec": {"taints": taints} if taints else {},
            "status": {"capacity": capacity, "allocatable": dict(capacity)},
        }
        if rng.random() < 0.1:
            node["spec"]["unschedulable"] = True
        nodes.append(node)
    pods = []
    for j in range(rng.randint(1, 4)):
        requests = {
            "cpu": rng.choice(("500m", "1", "2", "6", "12")),
            "memory": rng.choice(("1Gi", "8Gi", "48Gi")),
        }
        limits: dict[str, str] = {}
        gpu = rng.choice((0, 0, 0, 1, 2, 4, 8, 16))
        if gpu:
            requests["nvidia.com/gpu"] = limits["nvidia.com/gpu"] = str(gpu)
        spec: dict[str, Any] = {
            "terminationGracePeriodSeconds": 0,
            "containers": [
                {
                    "name": "main",
                    "image": "busybox:1.36",
                    "resources": {"requests": requests, **({"limits": limits} if limits else {})},
                }
            ],
        }
        if rng.random() < 0.3:
            spec["nodeSelector"] = {"mlkube.io/pool": rng.choice(_POOLS)}
        affinity: dict[str, Any] = {}
        if rng.random() < 0.25:
            values = rng.sample(_POOLS, rng.randint(1, 2))
            affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "mlkube.io/pool",
                                "operator": rng.choice(("In", "NotIn")),
                                "values": values,
                            }
                        ]
                    }
                ]
            }
        if rng.random() < 0.3:
            affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
                {
                    "weight": rng.randint(1, 100),
                    "preference": {
                        "matchExpressions": [
                            {"key": "zone", "operator": "In", "values": [rng.choice("xy")]}
                        ]
                    },
                }
            ]
        if affinity:
            spec["affinity"] = {"nodeAffinity": affinity}
        tolerations = [
            {"key": t["key"], "operator": "Exists", "effect": t["effect"]}
            for t in _TAINTS
            if rng.random() < 0.35
        ]
        if tolerations:
            spec["tolerations"] = tolerations
        pods.append(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{j}"}, "spec": spec}
        )
    return Case(seed, nodes, pods)


def _top(
    nodes: list[dict[str, Any]], bound: list[dict[str, Any]], pod: Mapping[str, Any]
) -> frozenset[str]:
    """The nodes sharing the highest score for ``pod`` in that state (mlkube's scheduler)."""
    result = Scheduler(Snapshot(nodes, bound), seed=0, vectorised=False).schedule_one(
        pod, explain=True
    )
    if not result.scores:
        return frozenset({result.node_name}) if result.node_name else frozenset()
    best = max(total for total, _ in result.scores.values())
    return frozenset(n for n, (total, _) in result.scores.items() if total == best)


def _outcome(pod: Mapping[str, Any]) -> tuple[str | None, str | None]:
    node = (pod.get("spec") or {}).get("nodeName")
    if node:
        return node, None
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("reason") == "Unschedulable":
            return None, c.get("message")
    return None, None


def run_embedded(case: Case, namespace: str) -> list[Decision]:
    cluster = Cluster(clock=FakeClock(), seed=case.seed)
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    for node in case.nodes:
        cluster.create(node)
    cluster.advance(2)
    decisions = []
    for pod in case.pods:
        nodes = cluster.list("nodes")
        bound = [p for p in cluster.list("pods", namespace) if p["spec"].get("nodeName")]
        created = cluster.create(pod, namespace=namespace)
        top = _top(nodes, bound, created)
        placed: str | None = None
        message: str | None = None
        for _ in range(50):
            cluster.advance(0.2)
            placed, message = _outcome(cluster.get("pods", pod["metadata"]["name"], namespace))
            if placed or message:
                break
        decisions.append(Decision(pod["metadata"]["name"], placed, message, top))
    cluster.close()
    return decisions


def _wait(check: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def probe_pod(name: str, nodes: list[str]) -> dict[str, Any]:
    """A pod no node can hold (``_PROBE_CPU`` cpus), tolerating every taint and limited to
    ``nodes`` by name: kube-scheduler refuses it with one reason per node in its cache."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "terminationGracePeriodSeconds": 0,
            "containers": [
                {
                    "name": "probe",
                    "image": "busybox:1.36",
                    "resources": {"requests": {"cpu": _PROBE_CPU}},
                }
            ],
            "tolerations": [{"operator": "Exists"}],
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        # matchFields takes one name per term; terms are ORed.
                        "nodeSelectorTerms": [
                            {
                                "matchFields": [
                                    {"key": "metadata.name", "operator": "In", "values": [node]}
                                ]
                            }
                            for node in nodes
                        ]
                    }
                }
            },
        },
    }


def scheduler_sees_exactly(message: str, count: int) -> bool:
    """Whether the probe's FailedScheduling ``message`` says the scheduler saw ``count`` nodes,
    all of them the probe's (any other node would be counted as not matching its affinity)."""
    return message.startswith(f"0/{count} nodes are available: {count} Insufficient cpu.")


def run_real(case: Case, namespace: str, client: KubeClient) -> list[Decision]:
    """The case on the real control plane; see the module docstring for what it waits for."""
    _wait_for_no_pending_pods(client)
    client.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    names: list[str] = []
    try:
        for node in case.nodes:
            body = {
                **node,
                "metadata": {**node["metadata"], "annotations": {"kwok.x-k8s.io/node": "fake"}},
            }
            body["metadata"]["labels"] = {**node["metadata"]["labels"], "type": "kwok"}
            client.create(body)
            names.append(node["metadata"]["name"])
        for name in names:
            _wait(functools.partial(_node_is_ready, client, name), _TIMEOUT_SECONDS)
        _wait_for_scheduler_cache(client, namespace, names)
        decisions = []
        for pod in case.pods:
            nodes = [n for n in client.list("nodes") if n["metadata"]["name"] in names]
            bound = [p for p in client.list("pods", namespace) if p["spec"].get("nodeName")]
            created = client.create(pod, namespace=namespace)
            top = _top(nodes, bound, created)
            name = pod["metadata"]["name"]
            _wait(functools.partial(_settled, client, name, namespace), 30)
            placed, message = _outcome(client.get("pods", name, namespace))
            decisions.append(Decision(name, placed, message, top))
        return decisions
    finally:
        for pod in client.list("pods", namespace):
            _delete_now(client, pod["metadata"]["name"], namespace)
        _wait(lambda: not client.list("pods", namespace), _TIMEOUT_SECONDS)
        for name in names:
            client.delete("nodes", name)
        client.delete("namespaces", namespace)


def _wait_for_no_pending_pods(client: KubeClient) -> None:
    """Wait until no pod in the cluster waits for a node (one would take this case's room)."""

    def pending() -> list[str]:
        return [
            f"{p['metadata']['namespace']}/{p['metadata']['name']}"
            for p in client.list("pods", all_namespaces=True, field_selector="spec.nodeName=")
            if not p["metadata"].get("deletionTimestamp")
        ]

    if not _wait(lambda: not pending(), _TIMEOUT_SECONDS):
        raise TimeoutError(
            f"pods still wait for a node after {_TIMEOUT_SECONDS:.0f}s and would be placed on "
            f"the next case's nodes: {', '.join(pending())}; delete them first"
        )


def _wait_for_scheduler_cache(client: KubeClient, namespace: str, names: list[str]) -> None:
    """Wait until kube-scheduler's cache holds exactly ``names`` (see :func:`probe_pod`).

    A probe refused with a stale view stays in the scheduler's unschedulable queue (no node
    event makes it fit), so each attempt is a new probe."""
    deadline = time.monotonic() + _TIMEOUT_SECONDS
    message = ""
    for attempt in itertools.count():
        name = f"{_PROBE_PREFIX}-{attempt}"
        client.create(probe_pod(name, names), namespace=namespace)
        _wait(functools.partial(_settled, client, name, namespace), _TIMEOUT_SECONDS)
        message = _outcome(client.get("pods", name, namespace))[1] or ""
        _delete_now(client, name, namespace)
        if scheduler_sees_exactly(message, len(names)):
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raise TimeoutError(
        f"kube-scheduler's cache did not hold exactly the nodes {names} after "
        f"{_TIMEOUT_SECONDS:.0f}s; the last probe was refused with {message!r}"
    )


def _delete_now(client: KubeClient, name: str, namespace: str) -> None:
    with contextlib.suppress(ApiError):
        client.delete("pods", name, namespace, grace_period_seconds=0)


def _settled(client: KubeClient, name: str, namespace: str) -> bool:
    return _outcome(client.get("pods", name, namespace)) != (None, None)


def _node_is_ready(client: KubeClient, name: str) -> bool:
    return _node_ready(client.get("nodes", name))


def _node_ready(node: Mapping[str, Any]) -> bool:
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (node.get("status") or {}).get("conditions") or []
    )
    not_ready_taint = any(
        t.get("key") == "node.kubernetes.io/not-ready"
        for t in (node.get("spec") or {}).get("taints") or []
    )
    return ready and not not_ready_taint


def compare(embedded: list[Decision], real: list[Decision]) -> list[str]:
    """Every disagreement, as a sentence."""
    problems = []
    for e, r in zip(embedded, real, strict=True):
        if (e.node is None) != (r.node is None):
            problems.append(
                f"{e.pod}: embedded {e.node or e.message!r} vs real {r.node or r.message!r}"
            )
        elif e.node is None:
            if e.message != r.message:
                problems.append(
                    f"{e.pod}: messages differ: embedded {e.message!r}, real {r.message!r}"
                )
        elif e.node != r.node and (e.node not in e.top or r.node not in r.top):
            problems.append(
                f"{e.pod}: embedded chose {e.node} (top {sorted(e.top)}), "
                f"real chose {r.node} (top {sorted(r.top)})"
            )
    return problems
