"""What a kubelet reports about its node: status (capacity, conditions, addresses, nodeInfo)
and its heartbeat Lease in ``kube-node-lease``.

Pure builders, so the simulated kubelet's node is the one a real kubelet posts. Follows
``pkg/kubelet/nodestatus/setters.go`` (MemoryPressure/DiskPressure/PIDPressure/Ready with
the kubelet's reasons and messages, in that order; a condition's ``lastTransitionTime``
moves only when its status changes), ``pkg/kubelet/kubelet_node_status.go`` and
``pkg/kubelet/nodelease`` + ``component-helpers/apimachinery/lease`` (a Lease named after
the node, owned by it, ``leaseDurationSeconds: 40``, renewed every 10 s). Capacity defaults
are KWOK's ``node-initialize`` stage (``cpu: 1k``, ``memory: 1Ti``, ``pods: 1M``) so an
embedded node and a KWOK node look alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from mlkube._version import __version__

__all__ = [
    "DEFAULT_CAPACITY",
    "LEASE_DURATION_SECONDS",
    "LEASE_NAMESPACE",
    "NODE_CONDITIONS",
    "RENEW_INTERVAL",
    "STATUS_REPORT_FREQUENCY",
    "lease",
    "node_status",
]

LEASE_NAMESPACE: Final = "kube-node-lease"
#: ``nodeLeaseDurationSeconds`` (KubeletConfiguration default).
LEASE_DURATION_SECONDS: Final = 40
#: The lease controller renews at a quarter of the duration (``nodelease.NewController``).
RENEW_INTERVAL: Final = 10.0
#: ``nodeStatusReportFrequency``: an unchanged status is still posted this often.
STATUS_REPORT_FREQUENCY: Final = 300.0
DEFAULT_CAPACITY: Final = {"cpu": "1k", "memory": "1Ti", "pods": "1M"}
KUBELET_PORT: Final = 10250

#: (type, status, reason, message) as ``setters.go`` writes them on a healthy node.
NODE_CONDITIONS: Final = (
    (
        "MemoryPressure",
        "False",
        "KubeletHasSufficientMemory",
        "kubelet has sufficient memory available",
    ),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)


def node_status(node: Mapping[str, Any], *, internal_ip: str, now: str) -> dict[str, Any]:
    """The status a healthy kubelet posts for ``node`` at ``now``.

    Capacity and allocatable are kept when set (allocatable defaults to capacity);
    addresses are kept when the node has an InternalIP and a Hostname.
    """
    name = str((node.get("metadata") or {}).get("name", ""))
    old: dict[str, Any] = dict(node.get("status") or {})
    capacity = dict(old.get("capacity") or DEFAULT_CAPACITY)
    allocatable = dict(old.get("allocatable") or capacity)
    previous = {c.get("type"): c for c in old.get("conditions") or []}
    conditions = []
    for kind, status, reason, message in NODE_CONDITIONS:
        was = previous.get(kind) or {}
        same = was.get("status") == status and was.get("lastTransitionTime")
        conditions.append(
            {
                "type": kind,
                "status": status,
                "lastHeartbeatTime": now,
                "lastTransitionTime": was["lastTransitionTime"] if same else now,
                "reason": reason,
                "message": message,
            }
        )
    # Conditions the kubelet does not own (NetworkUnavailable, a node problem detector's).
    owned = {c[0] for c in NODE_CONDITIONS}
    conditions += [dict(c) for k, c in previous.items() if k not in owned]
    addresses = list(old.get("addresses") or [])
    types = {a.get("type") for a in addresses}
    if "InternalIP" not in types:
        addresses.append({"type": "InternalIP", "address": internal_ip})
    if "Hostname" not in types:
        addresses.append({"type": "Hostname", "address": name})
    info = dict(old.get("nodeInfo") or {})
    version = f"v1.37.0-mlkube.{__version__}"
    for key, value in (
        ("architecture", "amd64"),
        ("operatingSystem", "linux"),
        ("kubeletVersion", version),
        ("kubeProxyVersion", version),
        ("containerRuntimeVersion", f"mlkube://{__version__}"),
        ("kernelVersion", ""),
        ("osImage", ""),
        ("machineID", ""),
        ("systemUUID", ""),
        ("bootID", ""),
    ):
        if not info.get(key):  # unset; Go's decoding leaves it "" (nodeInfo has no omitempty)
            info[key] = value
    return {
        **old,
        "capacity": capacity,
        "allocatable": allocatable,
        "conditions": conditions,
        "addresses": addresses,
        "daemonEndpoints": {"kubeletEndpoint": {"Port": KUBELET_PORT}},
        "nodeInfo": info,
    }


def lease(node: Mapping[str, Any], *, renew_time: str) -> dict[str, Any]:
    """The node's heartbeat Lease, owned by the Node (``setNodeOwnerFunc``)."""
    meta = node.get("metadata") or {}
    name = str(meta.get("name", ""))
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": name,
            "namespace": LEASE_NAMESPACE,
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": name, "uid": meta.get("uid", "")}
            ],
        },
        "spec": {
            "holderIdentity": name,
            "leaseDurationSeconds": LEASE_DURATION_SECONDS,
            "renewTime": renew_time,
        },
    }
