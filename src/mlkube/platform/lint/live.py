"""``--live``: read a namespace's workloads and the cluster state the rules need.

The one imperative part of lint: list the namespace's Pods, Jobs, CronJobs, Deployments,
StatefulSets and ReplicaSets (the objects to lint), and the nodes, the namespace's
ResourceQuotas, LimitRanges and PersistentVolumeClaims, the PriorityClasses and the
PersistentVolumes (what the rules compare them with). An object a controller owns (a Job's
pods, a Deployment's ReplicaSets) is linted through its owner only, as its findings would
repeat the owner's. List responses carry no ``apiVersion``/``kind`` per item (``kubectl
get -o json`` adds them back, ``cli-runtime/pkg/resource/helper.go``), so they are set
from the resource type. A list the caller may not read (RBAC) leaves that part unknown and
says so in :attr:`LiveState.warnings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from mlkube.api.registry import lookup
from mlkube.platform.lint.context import Cluster
from mlkube.platform.lint.manifests import Manifest

__all__ = ["WORKLOADS", "Lister", "LiveState", "read_cluster"]

#: The resources whose objects are linted, in output order.
WORKLOADS: Final = ("cronjobs", "jobs", "deployments", "statefulsets", "replicasets", "pods")


class Lister(Protocol):
    """What lint needs of a client (:class:`mlkube.client.KubeClient` is one): ``list``
    returns every object of a resource in a namespace (None: cluster-scoped), as wire
    dicts; it raises on refusal and never mutates what it returned before."""

    def list(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class LiveState:
    """The namespace's objects to lint, the cluster they run in, and what could not be read."""

    manifests: list[Manifest]
    cluster: Cluster
    warnings: list[str] = field(default_factory=list)


def _controlled(obj: Mapping[str, Any]) -> bool:
    refs = (obj.get("metadata") or {}).get("ownerReferences") or ()
    return any(ref.get("controller") for ref in refs)


def read_cluster(client: Lister, namespace: str) -> LiveState:
    """Read what ``lint --live -n namespace`` needs; refusals of context lists are warnings.

    1. List each workload resource in the namespace, skip controlled objects, stamp kind.
    2. List the context: nodes, PriorityClasses and PersistentVolumes (cluster-wide), and
       the namespace's ResourceQuotas, LimitRanges and PersistentVolumeClaims.
    """
    from mlkube.client import ApiError

    warnings: list[str] = []

    def read(resource: str, ns: str | None) -> list[dict[str, Any]]:
        rt = lookup(resource)
        try:
            items = client.list(resource, ns)
        except ApiError as err:
            warnings.append(
                f"cannot list {resource}: {err.message or err.code}; "
                "the rules that need them are skipped"
            )
            return []
        return [{**item, "apiVersion": rt.api_version, "kind": rt.kind} for item in items]

    manifests = [
        Manifest(obj)
        for resource in WORKLOADS
        for obj in sorted(read(resource, namespace), key=lambda o: o["metadata"].get("name", ""))
        if not _controlled(obj)
    ]
    cluster = Cluster(
        nodes=read("nodes", None),
        quotas=read("resourcequotas", namespace),
        limitranges=read("limitranges", namespace),
        priorityclasses=read("priorityclasses", None),
        pvcs=read("persistentvolumeclaims", namespace),
        pvs=read("persistentvolumes", None),
    )
    return LiveState(manifests, cluster, warnings)
