"""The labels, annotations and object names mlkube writes, in one place.

Everything mlkube renders carries the recommended ``app.kubernetes.io/managed-by`` label
(https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/) and the
platform's name, which is how ``--prune`` finds what it owns; node labels, taints and the
names of per-team volumes follow from the spec by the functions here, so the renderer, the
planner, ``show`` and the workloads (issue 9) agree on them.
"""

from __future__ import annotations

__all__ = [
    "ACCELERATOR",
    "DATASET",
    "FIELD_MANAGER",
    "KIND",
    "MANAGED_BY",
    "MANAGED_BY_VALUE",
    "MANAGED_TAINTS",
    "NODE_REGISTRAR",
    "PLATFORM",
    "PLATFORM_CONFIG",
    "PLATFORM_CONFIG_KEY",
    "PLATFORM_CONFIG_NAMESPACE",
    "POOL",
    "RUNTIME",
    "TEAM",
    "TEAM_ROLE",
    "WORKLOAD",
    "claim_name",
    "managed_selector",
    "node_name",
    "volume_name",
]

#: The server-side apply field manager of every write.
FIELD_MANAGER = "mlkube"
#: Embedded cluster: the field manager that registers a node's Ready condition, as a kubelet
#: registering would; later applies by ``mlkube`` leave the conditions to whoever keeps them.
NODE_REGISTRAR = "mlkube-kubelet"
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "mlkube"
#: The platform an object belongs to.
PLATFORM = "mlkube.io/platform"
#: The pool a node belongs to: the label every profile's node affinity targets.
POOL = "mlkube.io/pool"
#: On a pool's nodes (when the spec gives it): the accelerator they carry (``a100``); a
#: workload's ``gpuType`` becomes required node affinity on it.
ACCELERATOR = "mlkube.io/accelerator"
#: The dataset a volume or claim serves.
DATASET = "mlkube.io/dataset"
#: The team a namespace (and its objects) belongs to.
TEAM = "mlkube.io/team"
#: Embedded cluster: how a node runs its pods (simulate or process); the annotation the
#: simulated kubelet reads (``mlkube.engine.kubelet.RUNTIME_ANNOTATION``).
RUNTIME = "sim.mlkube.io/runtime"
#: On nodes: the taints mlkube set (``key:effect`` comma-separated), so a later apply removes
#: exactly those and never a taint someone else set (taints are an atomic list).
MANAGED_TAINTS = "mlkube.io/managed-taints"
#: The Role (and RoleBinding) every team namespace gets.
TEAM_ROLE = "mlkube-team"
#: The ML workload (TrainingJob, Sweep, ...) an object or pod belongs to: its name.
WORKLOAD = "mlkube.io/workload"
#: What kind of ML workload: training, sweep, distributed, preprocessing or inference.
KIND = "mlkube.io/kind"
#: The ConfigMap that stores the applied platform spec on the cluster, so that workloads
#: resolve their profiles from the cluster itself (``kube-public``: readable by everyone).
PLATFORM_CONFIG = "mlkube-platform"
PLATFORM_CONFIG_NAMESPACE = "kube-public"
PLATFORM_CONFIG_KEY = "platform.yaml"


def managed_selector(platform: str) -> str:
    """The label selector of everything one platform manages."""
    return f"{MANAGED_BY}={MANAGED_BY_VALUE},{PLATFORM}={platform}"


def node_name(pool: str, i: int) -> str:
    """Embedded cluster: the ``i``-th node of a pool."""
    return f"{pool}-{i}"


def volume_name(dataset: str, team: str) -> str:
    """The PersistentVolume that serves one dataset to one team (a PV binds one claim)."""
    return f"{dataset}-{team}"


def claim_name(dataset: str) -> str:
    """The claim a team's workloads mount: the dataset's own name, in the team namespace."""
    return dataset
