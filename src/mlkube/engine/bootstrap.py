"""What a new cluster holds before anyone writes to it, and what every namespace gets.

kube-apiserver's bootstrap controllers create the system namespaces and the system
PriorityClasses (``pkg/controlplane/controller/systemnamespaces``,
``pkg/registry/scheduling/rest/storage_scheduling.go``); kube-controller-manager's
serviceaccounts controller and root-ca-cert-publisher give each namespace its ``default``
ServiceAccount and its ``kube-root-ca.crt`` ConfigMap. The embedded cluster creates the
latter as a namespace is created (not moments later, as the controllers do), so a pod
created right after its namespace finds its service account, as the real ServiceAccount
admission finds it by waiting.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from mlkube.api.registry import ResourceType, lookup
from mlkube.engine.errors import AlreadyExists

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = [
    "DEFAULT_STORAGE_CLASS",
    "LOCAL_PROVISIONER",
    "SYSTEM_NAMESPACES",
    "SYSTEM_PRIORITY_CLASSES",
    "bootstrap",
    "populate_namespace",
]

DEFAULT_STORAGE_CLASS = "local"
LOCAL_PROVISIONER = "mlkube.io/local"
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
SYSTEM_PRIORITY_CLASSES = (
    (
        "system-node-critical",
        2000001000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    (
        "system-cluster-critical",
        2000000000,
        "Used for system critical pods that must run in the cluster, but can be moved to "
        "another node if necessary.",
    ),
)
_MANAGER = "kube-apiserver"


def _ensure(api: APIServer, rt: ResourceType, obj: dict[str, Any]) -> None:
    with contextlib.suppress(AlreadyExists):
        api.create(rt, obj, field_manager=_MANAGER)


def bootstrap(api: APIServer) -> None:
    """Create the system namespaces and PriorityClasses when they are missing."""
    namespaces = lookup("namespaces")
    for name in SYSTEM_NAMESPACES:
        _ensure(
            api, namespaces, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        )
    # The embedded cluster's own default class: claims without a class are provisioned as
    # local directories by the PV binder (an mlkube addition, like kind's "standard").
    _ensure(
        api,
        lookup("storageclasses"),
        {
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": {
                "name": DEFAULT_STORAGE_CLASS,
                "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": LOCAL_PROVISIONER,
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "Immediate",
        },
    )
    classes = lookup("priorityclasses")
    for name, value, description in SYSTEM_PRIORITY_CLASSES:
        _ensure(
            api,
            classes,
            {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {"name": name},
                "value": value,
                "description": description,
            },
        )


def populate_namespace(ca_cert: str) -> Any:
    """A post-create hook giving each new namespace its ServiceAccount and CA ConfigMap."""

    def hook(api: APIServer, rt: ResourceType, obj: dict[str, Any]) -> None:
        if (rt.group, rt.plural) != ("", "namespaces"):
            return
        ns = obj["metadata"]["name"]
        _ensure(
            api,
            lookup("serviceaccounts"),
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": {"name": "default", "namespace": ns},
            },
        )
        _ensure(
            api,
            lookup("configmaps"),
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {
                    "name": "kube-root-ca.crt",
                    "namespace": ns,
                    "annotations": {
                        "kubernetes.io/description": (
                            "Contains a CA bundle that can be used to verify the "
                            "kube-apiserver when using internal endpoints such as the "
                            "internal service IP or kubernetes.default.svc. No other usage "
                            "is guaranteed across distributions of Kubernetes clusters."
                        )
                    },
                },
                "data": {"ca.crt": ca_cert},
            },
        )

    return hook
