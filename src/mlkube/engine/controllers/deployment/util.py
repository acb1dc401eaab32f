"""The Deployment controller's pure rules: names, annotations, the pod-template hash,
fenceposts and the ReplicaSet orderings.

It exists so that the arithmetic of a rollout can be read (and tested) apart from the
controller that applies it. Follows ``pkg/controller/deployment/util/deployment_util.go``
(``ResolveFenceposts``, ``MaxSurge``, ``MaxUnavailable``, ``Revision``,
``EqualIgnoreHash``, the ReplicaSet sorts) and ``pkg/controller/controller_utils.go``
(``ComputeHash``) with ``k8s.io/apimachinery/pkg/util/rand`` (``SafeEncodeString``).

A new ReplicaSet is named ``<deployment>-<pod-template-hash>``; the hash is fnv32a over the
template and the collision count, rendered with ``rand.SafeEncodeString`` as upstream's
``controller.ComputeHash`` renders it. Upstream feeds the hash with spew's ``%#v`` print of
the Go struct; this module feeds it the template's canonical JSON, so the characters differ
from a real cluster's for the same template while the form, stability and collision
handling are the same.
"""

from __future__ import annotations

import copy
import json
import math
from typing import Any, Final

from mlkube.api.registry import lookup

__all__ = [
    "COMPONENT",
    "DESIRED_REPLICAS",
    "HASH_LABEL",
    "MAX_REPLICAS",
    "NAME",
    "REVISION",
    "REVISION_HISTORY",
    "_DEPLOYMENTS",
    "_MAX_INT32",
    "_MAX_REV_HISTORY_CHARS",
    "_PODS",
    "_RS",
    "_SKIP_COPY",
    "_annotation_int",
    "_by_size_newer",
    "_by_size_older",
    "_created",
    "_equal_ignore_hash",
    "_replicas",
    "_revision",
    "_rolling",
    "_status",
    "compute_hash",
    "max_surge",
    "max_unavailable",
    "resolve_fenceposts",
    "safe_encode_string",
]

NAME = "deployment"
COMPONENT: Final = "deployment-controller"
HASH_LABEL: Final = "pod-template-hash"
REVISION: Final = "deployment.kubernetes.io/revision"
REVISION_HISTORY: Final = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS: Final = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS: Final = "deployment.kubernetes.io/max-replicas"
_SKIP_COPY = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION,
        REVISION_HISTORY,
        DESIRED_REPLICAS,
        MAX_REPLICAS,
        "deprecated.deployment.rollback.to",
    }
)
_MAX_REV_HISTORY_CHARS: Final = 2000
_MAX_INT32: Final = 2**31 - 1
_DEPLOYMENTS = lookup("deployments")
_RS = lookup("replicasets")
_PODS = lookup("pods")
_ALPHANUMS: Final = "bcdfghjklmnpqrstvwxz2456789"


def safe_encode_string(s: str) -> str:
    """``rand.SafeEncodeString``: each byte mapped onto vowel-free alphanumerics."""
    return "".join(_ALPHANUMS[b % len(_ALPHANUMS)] for b in s.encode())


def _fnv32a(data: bytes, h: int = 0x811C9DC5) -> int:
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


def compute_hash(template: dict[str, Any], collision_count: int | None) -> str:
    """``controller.ComputeHash`` (see the module docstring for the input encoding)."""
    h = _fnv32a(json.dumps(template, sort_keys=True, separators=(",", ":")).encode())
    if collision_count is not None:
        h = _fnv32a((collision_count & 0xFFFFFFFF).to_bytes(8, "little"), h)
    return safe_encode_string(str(h))


def _scaled(value: Any, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``."""
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        pct = int(text[:-1])
        exact = pct * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(text)


def resolve_fenceposts(max_surge: Any, max_unavailable: Any, desired: int) -> tuple[int, int]:
    """``ResolveFenceposts``: surge rounds up, unavailability down; never both zero."""
    surge = _scaled(max_surge if max_surge is not None else "25%", desired, True)
    unavailable = _scaled(max_unavailable if max_unavailable is not None else "25%", desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _replicas(obj: dict[str, Any]) -> int:
    return int((obj.get("spec") or {}).get("replicas", 1))


def _rolling(d: dict[str, Any]) -> bool:
    return ((d["spec"].get("strategy") or {}).get("type") or "RollingUpdate") == "RollingUpdate"


def _fenceposts(d: dict[str, Any]) -> tuple[int, int]:
    ru = (d["spec"].get("strategy") or {}).get("rollingUpdate") or {}
    return resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), _replicas(d))


def max_surge(d: dict[str, Any]) -> int:
    return _fenceposts(d)[0] if _rolling(d) else 0


def max_unavailable(d: dict[str, Any]) -> int:
    if not _rolling(d) or _replicas(d) == 0:
        return 0
    return min(_fenceposts(d)[1], _replicas(d))


def _status(rs: dict[str, Any] | None, key: str) -> int:
    return int(((rs or {}).get("status") or {}).get(key) or 0)


def _annotation_int(rs: dict[str, Any], key: str) -> int | None:
    raw = (rs["metadata"].get("annotations") or {}).get(key)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _revision(rs: dict[str, Any]) -> int:
    return _annotation_int(rs, REVISION) or 0


def _created(rs: dict[str, Any]) -> tuple[str, str]:
    return (rs["metadata"].get("creationTimestamp", ""), rs["metadata"]["name"])


def _by_size_newer(a: dict[str, Any], b: dict[str, Any]) -> int:
    """``ReplicaSetsBySizeNewer``: larger first, then newer first."""
    if _replicas(a) != _replicas(b):
        return -1 if _replicas(a) > _replicas(b) else 1
    return (_created(a) < _created(b)) - (_created(a) > _created(b))


def _by_size_older(a: dict[str, Any], b: dict[str, Any]) -> int:
    """``ReplicaSetsBySizeOlder``: larger first, then older first."""
    if _replicas(a) != _replicas(b):
        return -1 if _replicas(a) > _replicas(b) else 1
    return (_created(a) > _created(b)) - (_created(a) < _created(b))


def _equal_ignore_hash(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """``EqualIgnoreHash``: templates equal once the pod-template-hash label is dropped."""

    def strip(t: dict[str, Any]) -> dict[str, Any]:
        t = copy.deepcopy(t)
        labels = (t.get("metadata") or {}).get("labels") or {}
        labels.pop(HASH_LABEL, None)
        if "metadata" in t and not labels:
            t["metadata"].pop("labels", None)
        return t

    return strip(a) == strip(b)
