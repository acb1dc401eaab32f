"""Test support: builders, fixtures and the real control plane driver."""

__all__: list[str] = []
