"""mlkube: machine learning on plain Kubernetes.

Importing ``mlkube`` is cheap: it loads no engine, server or client code. The
public SDK names are imported lazily on first use.
"""

from mlkube._version import __version__

__all__ = ["__version__"]
