"""The client: one path to any Kubernetes API (embedded or real) through kubeconfig."""

from mlkube.client.errors import ApiError, ConnectionFailed
from mlkube.client.kube import PATCH_TYPES, KubeClient

__all__ = ["PATCH_TYPES", "ApiError", "ConnectionFailed", "KubeClient"]
