"""Pure Kubernetes semantics: the rules every other layer calls, as pure functions.

Nothing here does I/O, reads a clock or imports a framework. The scheduler,
admission, ``explain``, ``lint`` and the renderers all call these functions and
none of them re-implements a rule.
"""

__all__ = [
    "field",
    "fields",
    "formats",
    "labels",
    "nodeaffinity",
    "quantity",
    "quota",
    "registry",
    "resources",
    "schema",
    "taints",
    "timestamps",
    "validation",
]
