"""A thin Kubernetes-compatible HTTP face over the engine; it owns no semantics."""

__all__: list[str] = []
