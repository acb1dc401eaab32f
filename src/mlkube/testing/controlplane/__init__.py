"""The real Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager,
kube-scheduler, kwok) built from Go modules by ``tools/kubecluster/build.sh`` and run on
loopback, so mlkube's embedded cluster can be checked against the real thing (``make e2e``).
"""

from mlkube.testing.controlplane.build import BuildError, build_control_plane, pinned_versions
from mlkube.testing.controlplane.cluster import (
    DEFAULT_STAGES,
    KWOK_NODE_ANNOTATION,
    KWOK_NODE_TAINT,
    ClusterStartError,
    Ports,
    RealCluster,
    fake_node,
)
from mlkube.testing.controlplane.pki import PKI, generate_pki

__all__ = [
    "DEFAULT_STAGES",
    "KWOK_NODE_ANNOTATION",
    "KWOK_NODE_TAINT",
    "PKI",
    "BuildError",
    "ClusterStartError",
    "Ports",
    "RealCluster",
    "build_control_plane",
    "fake_node",
    "generate_pki",
    "pinned_versions",
]
