"""LimitRanger: a namespace's LimitRanges default container requests and limits and
refuse pods and claims outside their min, max and limit/request ratio.

Mutation (pod create only): each Container-type item's ``default`` fills missing limits
and ``defaultRequest`` missing requests, recorded in the ``kubernetes.io/limit-ranger``
annotation. Validation: Container items per container and init container, Pod items on
the pod's effective requests and limits, PersistentVolumeClaim items on the claim's
storage request; every violation is collected and the aggregate refused as Forbidden.
Follows ``plugin/pkg/admission/limitranger/admission.go``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.registry import lookup
from mlkube.api.resources import pod_limits, pod_requests
from mlkube.engine.admission.interface import (
    AdmissionContext,
    Attributes,
    Operation,
    aggregate,
    forbidden,
)

__all__ = ["ANNOTATION", "NAME", "LimitRanger", "pod_violations", "pvc_violations"]

NAME = "LimitRanger"
ANNOTATION = "kubernetes.io/limit-ranger"
_LIMIT_RANGES = lookup("limitranges")
_MAX_MILLI_VALUE = (2**63 - 1) // 1000

MSG_MIN_NO_REQUEST = "minimum {r} usage per {t} is {e}.  No request is specified"
MSG_MIN_REQUEST = "minimum {r} usage per {t} is {e}, but request is {v}"
MSG_MIN_LIMIT = "minimum {r} usage per {t} is {e}, but limit is {v}"
MSG_MAX_NO_LIMIT = "maximum {r} usage per {t} is {e}.  No limit is specified"
MSG_MAX_NO_REQUEST = "maximum {r} usage per {t} is {e}.  No request is specified"
MSG_MAX_LIMIT = "maximum {r} usage per {t} is {e}, but limit is {v}"
MSG_MAX_REQUEST = "maximum {r} usage per {t} is {e}, but request is {v}"
MSG_RATIO_NO_REQUEST = (
    "{r} max limit to request ratio per {t} is {e}, but no request is specified or request is 0"
)
MSG_RATIO_NO_LIMIT = (
    "{r} max limit to request ratio per {t} is {e}, but no limit is specified or limit is 0"
)
MSG_RATIO = "{r} max limit to request ratio per {t} is {e}, but provided ratio is {v:f}"

_Resources = Mapping[str, Quantity]


def _q(raw: Mapping[str, Any] | None) -> dict[str, Quantity]:
    return {k: parse_quantity(str(v)) for k, v in (raw or {}).items()}


def _values(*quantities: Quantity | None) -> list[int]:
    """``requestLimitEnforcedValues``: compare in milli-units unless that would overflow."""
    plain = [q.value() if q is not None else 0 for q in quantities]
    if all(v <= _MAX_MILLI_VALUE for v in plain):
        return [q.milli_value() if q is not None else 0 for q in quantities]
    return plain


def _min(t: str, r: str, enforced: Quantity, req: _Resources, lim: _Resources) -> str | None:
    request, limit = req.get(r), lim.get(r)
    observed_req, observed_lim, floor = _values(request, limit, enforced)
    if request is None:
        return MSG_MIN_NO_REQUEST.format(r=r, t=t, e=enforced)
    if observed_req < floor:
        return MSG_MIN_REQUEST.format(r=r, t=t, e=enforced, v=request)
    if limit is not None and observed_lim < floor:
        return MSG_MIN_LIMIT.format(r=r, t=t, e=enforced, v=limit)
    return None


def _max(t: str, r: str, enforced: Quantity, req: _Resources, lim: _Resources) -> str | None:
    request, limit = req.get(r), lim.get(r)
    observed_req, observed_lim, ceiling = _values(request, limit, enforced)
    if limit is None:
        return MSG_MAX_NO_LIMIT.format(r=r, t=t, e=enforced)
    if observed_lim > ceiling:
        return MSG_MAX_LIMIT.format(r=r, t=t, e=enforced, v=limit)
    if request is not None and observed_req > ceiling:
        return MSG_MAX_REQUEST.format(r=r, t=t, e=enforced, v=request)
    return None


def _max_request(t: str, r: str, enforced: Quantity, req: _Resources) -> str | None:
    request = req.get(r)
    observed_req, _, ceiling = _values(request, None, enforced)
    if request is None:
        return MSG_MAX_NO_REQUEST.format(r=r, t=t, e=enforced)
    if observed_req > ceiling:
        return MSG_MAX_REQUEST.format(r=r, t=t, e=enforced, v=request)
    return None


def _ratio(t: str, r: str, enforced: Quantity, req: _Resources, lim: _Resources) -> str | None:
    request, limit = req.get(r), lim.get(r)
    observed_req, observed_lim, _ = _values(request, limit, enforced)
    if request is None or observed_req == 0:
        return MSG_RATIO_NO_REQUEST.format(r=r, t=t, e=enforced)
    if limit is None or observed_lim == 0:
        return MSG_RATIO_NO_LIMIT.format(r=r, t=t, e=enforced)
    observed = observed_lim / observed_req
    shown = observed
    allowed = float(enforced.value())
    if enforced.value() <= _MAX_MILLI_VALUE:
        observed *= 1000
        allowed = float(enforced.milli_value())
    if observed > allowed:
        return MSG_RATIO.format(r=r, t=t, e=enforced, v=shown)
    return None


def _check(t: str, item: Mapping[str, Any], req: _Resources, lim: _Resources) -> list[str]:
    found: list[str | None] = []
    for r, v in sorted(_q(item.get("min")).items()):
        found.append(_min(t, r, v, req, lim))
    for r, v in sorted(_q(item.get("max")).items()):
        found.append(_max(t, r, v, req, lim))
    for r, v in sorted(_q(item.get("maxLimitRequestRatio")).items()):
        found.append(_ratio(t, r, v, req, lim))
    return [m for m in found if m is not None]


def pod_violations(limit_range: Mapping[str, Any], pod: Mapping[str, Any]) -> list[str]:
    """``PodValidateLimitFunc``: every way the pod breaks one LimitRange."""
    spec = pod.get("spec", {})
    errors: list[str] = []
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        kind = item.get("type")
        if kind == "Container":
            for container in [*spec.get("containers", []), *spec.get("initContainers", [])]:
                resources = container.get("resources") or {}
                errors += _check(
                    kind, item, _q(resources.get("requests")), _q(resources.get("limits"))
                )
        elif kind == "Pod":
            requests = pod_requests(pod, exclude_overhead=True)
            limits = pod_limits(pod, exclude_overhead=True)
            errors += _check(kind, item, requests, limits)
    return errors


def pvc_violations(limit_range: Mapping[str, Any], claim: Mapping[str, Any]) -> list[str]:
    """``PersistentVolumeClaimValidateLimitFunc``: min and max against the storage request."""
    requests = _q(((claim.get("spec") or {}).get("resources") or {}).get("requests"))
    errors: list[str | None] = []
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        kind = item.get("type")
        if kind != "PersistentVolumeClaim":
            continue
        for r, v in sorted(_q(item.get("min")).items()):
            errors.append(_min(kind, r, v, requests, {}))
        for r, v in sorted(_q(item.get("max")).items()):
            errors.append(_max_request(kind, r, v, requests))
    return [m for m in errors if m is not None]


def _default_requirements(limit_range: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``defaultContainerResourceRequirements``: (requests, limits) from Container items."""
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for item in (limit_range.get("spec") or {}).get("limits") or []:
        if item.get("type") == "Container":
            requests.update(item.get("defaultRequest") or {})
            limits.update(item.get("default") or {})
    return requests, limits


def _merge_container(
    container: dict[str, Any], requests: dict[str, Any], limits: dict[str, Any], prefix: str
) -> list[str]:
    """``mergeContainerResources``: fill what is missing; say what was set."""
    resources = container.setdefault("resources", {})
    notes: list[str] = []
    for key, defaults, word in (("requests", requests, "request"), ("limits", limits, "limit")):
        current = dict(resources.get(key) or {})
        added = sorted(k for k in defaults if k not in current)
        if added:
            current.update({k: defaults[k] for k in added})
            resources[key] = current
            notes.append(f"{', '.join(added)} {word} for {prefix} {container.get('name', '')}")
    # Upstream appends request notes before limit notes.
    return notes


def _mutate_pod(limit_range: Mapping[str, Any], pod: dict[str, Any]) -> None:
    """``PodMutateLimitFunc``."""
    requests, limits = _default_requirements(limit_range)
    spec = pod.setdefault("spec", {})
    notes: list[str] = []
    for container in spec.get("containers") or []:
        notes += _merge_container(container, requests, limits, "container")
    for container in spec.get("initContainers") or []:
        notes += _merge_container(container, requests, limits, "init container")
    if notes:
        annotations = pod.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)


class LimitRanger:
    NAME = NAME

    def _applies(self, attrs: Attributes) -> bool:
        if attrs.subresource:
            return False
        if attrs.old is not None and attrs.old.get("metadata", {}).get("deletionTimestamp"):
            return False
        if attrs.is_("", "pods"):
            return attrs.operation is Operation.CREATE
        return attrs.is_("", "persistentvolumeclaims") and attrs.operation in (
            Operation.CREATE,
            Operation.UPDATE,
        )

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not self._applies(attrs) or not attrs.is_("", "pods"):
            return
        assert attrs.obj is not None
        for limit_range in ctx.list(_LIMIT_RANGES, attrs.namespace):
            _mutate_pod(limit_range, attrs.obj)

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        if not self._applies(attrs):
            return
        assert attrs.obj is not None
        check = pod_violations if attrs.is_("", "pods") else pvc_violations
        for limit_range in ctx.list(_LIMIT_RANGES, attrs.namespace):
            errors = check(limit_range, attrs.obj)
            if errors:
                raise forbidden(attrs, aggregate(errors))
