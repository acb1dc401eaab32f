"""The Deployment controller of kube-controller-manager v1.37, one concept per module.

``controller`` runs ``syncDeployment``; ``sync`` claims, creates, scales and cleans up
ReplicaSets; ``rollout`` is the RollingUpdate and Recreate strategies; ``progress`` is the
status and the progress deadline; ``conditions``, ``util`` (revisions, the pod-template
hash, fenceposts) and ``recorder`` (events) are what they share. Follows
``pkg/controller/deployment/``.
"""

from mlkube.engine.controllers.deployment.controller import DeploymentController
from mlkube.engine.controllers.deployment.util import (
    NAME,
    compute_hash,
    max_surge,
    max_unavailable,
    resolve_fenceposts,
    safe_encode_string,
)

__all__ = [
    "NAME",
    "DeploymentController",
    "compute_hash",
    "max_surge",
    "max_unavailable",
    "resolve_fenceposts",
    "safe_encode_string",
]
