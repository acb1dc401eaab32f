"""Simulated kubelets for the embedded cluster, and the local process runtime.

``Kubelets`` is the controller (one kubelet per Node); ``kubelets(cluster)`` is its
factory for ``Cluster(controllers=[...])``. What a simulated pod does is the table
``STAGES``; the annotations that steer it are ``RUN_FOR``, ``EXIT_CODE``, ``START_AFTER``
and ``STOP_AFTER`` on pods, ``STOPPED_ANNOTATION``, ``KUBELET_ANNOTATION`` and
``RUNTIME_ANNOTATION`` on nodes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlkube.engine.kubelet.kubelet import (
    KUBELET_ANNOTATION,
    NAME,
    RUNTIME_ANNOTATION,
    STOPPED_ANNOTATION,
    Kubelets,
)
from mlkube.engine.kubelet.process import ProcessRuntime
from mlkube.engine.kubelet.stages import (
    EXIT_CODE,
    RUN_FOR,
    STAGES,
    START_AFTER,
    STOP_AFTER,
    Stage,
)

if TYPE_CHECKING:
    from mlkube.engine.cluster import Cluster

__all__ = [
    "EXIT_CODE",
    "KUBELET_ANNOTATION",
    "NAME",
    "RUNTIME_ANNOTATION",
    "RUN_FOR",
    "STAGES",
    "START_AFTER",
    "STOPPED_ANNOTATION",
    "STOP_AFTER",
    "Kubelets",
    "ProcessRuntime",
    "Stage",
    "kubelets",
]


def kubelets(cluster: Cluster) -> Kubelets:
    """The controller factory: every node of ``cluster`` gets a simulated kubelet; process
    pods keep their files under the cluster's ``state_dir`` when it has one."""
    state_dir = getattr(cluster, "state_dir", None)
    return Kubelets(cluster.api, cluster.clock, state_dir=Path(state_dir) if state_dir else None)
