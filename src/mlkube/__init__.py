"""mlkube: machine learning on plain Kubernetes.

Importing ``mlkube`` is cheap: it loads no engine, server or client code. The
public SDK names (``mlkube.connect`` and its types, :mod:`mlkube.sdk`) are imported
lazily on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlkube._version import __version__

if TYPE_CHECKING:
    from mlkube.sdk import Client, Handle, MlkubeError, connect

__all__ = ["Client", "Handle", "MlkubeError", "__version__", "connect"]

_SDK = frozenset({"Client", "Handle", "MlkubeError", "connect"})


def __getattr__(name: str) -> Any:
    if name in _SDK:
        import mlkube.sdk

        return getattr(mlkube.sdk, name)
    raise AttributeError(f"module 'mlkube' has no attribute {name!r}")
