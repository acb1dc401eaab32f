"""The scheduler's resource arithmetic: a ResourceList as ints, and which names count.

Filter and Score plugins, the per-node cache and the vectorised path all compare amounts, and
kube-scheduler compares them as ints (cpu in millicores, everything else in base units) over a
fixed set of names; the conversion and that set live here once. Follows, at Kubernetes v1.37,
``Resource`` in ``pkg/scheduler/framework/types.go`` and ``IsScalarResourceName`` in
``pkg/scheduler/util/utils.go``. :mod:`mlkube.engine.scheduler.framework` re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from mlkube.api.resources import (
    is_extended_resource_name,
    is_hugepage_resource_name,
    is_prefixed_native_resource,
)

__all__ = [
    "CPU",
    "EPHEMERAL_STORAGE",
    "MEMORY",
    "PODS",
    "is_scalar_resource_name",
    "quantities_to_ints",
]

CPU: Final = "cpu"
MEMORY: Final = "memory"
EPHEMERAL_STORAGE: Final = "ephemeral-storage"
PODS: Final = "pods"


def is_scalar_resource_name(name: str) -> bool:
    """Extended, hugepages, ``*kubernetes.io/``-prefixed or attachable-volumes resources.

    ``IsScalarResourceName``.
    """
    return (
        is_extended_resource_name(name)
        or is_hugepage_resource_name(name)
        or is_prefixed_native_resource(name)
        or name.startswith("attachable-volumes-")
    )


def quantities_to_ints(resources: Mapping[str, Any]) -> dict[str, int]:
    """A ResourceList as upstream's ``Resource``: cpu in millicores, the rest in base units.

    Only cpu, memory, ephemeral-storage, pods and scalar resources are kept (``Resource.Add``).
    """
    from mlkube.api.quantity import Quantity, milli_value_of, value_of

    out: dict[str, int] = {}
    for name, raw in resources.items():
        if name not in (CPU, MEMORY, EPHEMERAL_STORAGE, PODS) and not is_scalar_resource_name(name):
            continue
        if isinstance(raw, Quantity):
            out[name] = raw.milli_value() if name == CPU else raw.value()
        else:
            text = str(raw)
            out[name] = milli_value_of(text) if name == CPU else value_of(text)
    return out
