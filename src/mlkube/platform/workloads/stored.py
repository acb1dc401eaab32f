"""The platform spec as the cluster stores it, read back so workloads resolve their profiles.

``mlkube platform apply`` renders the spec into the ConfigMap ``kube-public/mlkube-platform``
(key ``platform.yaml``; :func:`mlkube.platform.render.render`); whoever submits a workload
later, from any machine, reads it here instead of needing the platform file. A cluster
without it (no platform applied) gives None: workloads then render without placement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mlkube.platform.names import PLATFORM_CONFIG, PLATFORM_CONFIG_KEY, PLATFORM_CONFIG_NAMESPACE
from mlkube.platform.problems import Problem, SpecError
from mlkube.platform.spec import Platform, loads

if TYPE_CHECKING:  # the target module imports the client; reading needs only the protocol
    from mlkube.platform.target import ClusterAPI

__all__ = ["read_platform"]


def read_platform(target: ClusterAPI) -> Platform | None:
    """The platform applied to the cluster, or None; :class:`SpecError` when the stored spec
    cannot be read (written by another mlkube version)."""
    config = target.get("configmaps", PLATFORM_CONFIG, PLATFORM_CONFIG_NAMESPACE)
    if config is None:
        return None
    text = (config.get("data") or {}).get(PLATFORM_CONFIG_KEY)
    where = f"configmap {PLATFORM_CONFIG_NAMESPACE}/{PLATFORM_CONFIG}"
    if text is None:
        raise SpecError(
            [
                Problem(
                    "stored",
                    where,
                    f"has no key {PLATFORM_CONFIG_KEY}",
                    "run mlkube platform apply",
                )
            ]
        )
    try:
        return loads(text)
    except SpecError as err:
        unreadable = "the stored platform spec is unreadable"
        raise SpecError(
            [Problem("stored", where, f"{unreadable}: {p}") for p in err.problems]
        ) from None
