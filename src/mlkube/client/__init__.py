"""The client: one path to any Kubernetes API (embedded or real) through kubeconfig."""

__all__: list[str] = []
