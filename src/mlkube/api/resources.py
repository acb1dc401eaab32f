"""What a pod asks for: effective requests and limits, the scheduler's non-zero requests, QoS.

NodeResourcesFit, the resource-allocation scorers, ResourceQuota, LimitRanger, the kubelet
simulation and ``explain`` must all add a pod up the same way, sidecars and pod overhead
included, so the arithmetic lives here once. A port of, at Kubernetes v1.37:

- ``staging/src/k8s.io/component-helpers/resource/helpers.go`` (``PodRequests``,
  ``PodLimits``, ``AggregateContainerRequests``/``Limits``, pod-level resources),
  spec-only: this cluster has no in-place resize status, so ``UseStatusResources`` and the
  DRA node-allocatable claim statuses are never consulted;
- ``pkg/scheduler/util/pod_resources.go`` (the default non-zero requests) and the
  scheduler framework's ``getNonMissingContainerRequests`` / ``calculateResource``;
- ``pkg/apis/core/v1/helper/qos/qos.go`` (``GetPodQOS``, ``ComputePodQOS``);
- ``pkg/apis/core/v1/helper/helpers.go`` (resource-name classification).

The ``PodLevelResources`` gate is beta and on by default since v1.34, still so in v1.37;
the ``skip_pod_level_resources`` / ``enable_pod_level_resources`` arguments turn it off.
Requests are read as written: API defaulting (a request defaults to its limit) happened
when the pod was stored. Every function returns new dicts and never mutates the pod.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal

from mlkube.api.quantity import Format, Quantity, parse_quantity
from mlkube.api.validation import is_qualified_name

__all__ = [
    "DEFAULT_MEMORY_REQUEST",
    "DEFAULT_MILLI_CPU_REQUEST",
    "QOS_BEST_EFFORT",
    "QOS_BURSTABLE",
    "QOS_GUARANTEED",
    "QOSClass",
    "compute_qos_class",
    "container_limits",
    "container_requests",
    "is_extended_resource_name",
    "is_hugepage_resource_name",
    "is_native_resource",
    "is_pod_level_requests_set",
    "is_pod_level_resources_set",
    "is_prefixed_native_resource",
    "is_supported_pod_level_resource",
    "non_missing_container_requests",
    "non_zero_pod_requests",
    "pod_limits",
    "pod_requests",
    "qos_class",
]

#: The cpu (millicores) and memory (bytes) the scheduler assumes for a container that
#: requests none, when scoring and balancing only (``schedutil.DefaultMilliCPURequest``).
DEFAULT_MILLI_CPU_REQUEST: Final = 100
DEFAULT_MEMORY_REQUEST: Final = 200 * 1024 * 1024

QOSClass = Literal["Guaranteed", "Burstable", "BestEffort"]
QOS_GUARANTEED: Final = "Guaranteed"
QOS_BURSTABLE: Final = "Burstable"
QOS_BEST_EFFORT: Final = "BestEffort"

_QOS_CLASSES: Final[Mapping[str, QOSClass]] = {
    QOS_GUARANTEED: QOS_GUARANTEED,
    QOS_BURSTABLE: QOS_BURSTABLE,
    QOS_BEST_EFFORT: QOS_BEST_EFFORT,
}

_CPU: Final = "cpu"
_MEMORY: Final = "memory"
_HUGEPAGES_PREFIX: Final = "hugepages-"
_DEFAULT_NAMESPACE_PREFIX: Final = "kubernetes.io/"
_REQUESTS_PREFIX: Final = "requests."
_QOS_COMPUTE_RESOURCES: Final = (_CPU, _MEMORY)
_ZERO: Final = Quantity.from_int(0)

ResourceList = dict[str, Quantity]


# --- reading wire-form resource lists ------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Quantity:
    return parse_quantity(text)


def _quantity(value: Any) -> Quantity:
    """A wire-form quantity: a string, or a JSON number as ``Quantity.UnmarshalJSON`` takes."""
    if isinstance(value, Quantity):
        return value
    return _parse(value if isinstance(value, str) else str(value))


def _resource_list(raw: Mapping[str, Any] | None) -> ResourceList:
    return {name: _quantity(value) for name, value in (raw or {}).items()}


def _resources(holder: Mapping[str, Any]) -> Mapping[str, Any]:
    return holder.get("resources") or {}


def container_requests(container: Mapping[str, Any]) -> dict[str, Quantity]:
    """A container's ``resources.requests`` as quantities."""
    return _resource_list(_resources(container).get("requests"))


def container_limits(container: Mapping[str, Any]) -> dict[str, Quantity]:
    """A container's ``resources.limits`` as quantities."""
    return _resource_list(_resources(container).get("limits"))


# --- resource-list arithmetic (helpers.go) -------------------------------------------------


def _add(into: ResourceList, other: Mapping[str, Quantity]) -> None:
    """``addResourceList``."""
    for name, quantity in other.items():
        current = into.get(name)
        into[name] = quantity if current is None else current + quantity


def _max(into: ResourceList, other: Mapping[str, Quantity]) -> None:
    """``maxResourceList``: the greater of the two for every resource in ``other``."""
    for name, quantity in other.items():
        current = into.get(name)
        if current is None or quantity > current:
            into[name] = quantity


def _apply_non_missing(requests: ResourceList, non_missing: Mapping[str, Quantity]) -> ResourceList:
    """``applyNonMissing``: fill in resources the container does not name (even zero is named)."""
    filled = dict(requests)
    for name, quantity in non_missing.items():
        if name not in requests:
            filled[name] = quantity
    return filled


def _is_restartable_init_container(container: Mapping[str, Any]) -> bool:
    return container.get("restartPolicy") == "Always"


def _aggregate(
    spec: Mapping[str, Any], which: str, non_missing: Mapping[str, Quantity] | None
) -> ResourceList:
    """``aggregateContainerResourcesByFn`` over the spec: the sidecar-aware pod total.

    App containers add up. Each init container needs its own resources plus every
    sidecar (restartable init container) started before it; a sidecar itself also adds
    to the running total of the app containers. The pod needs the larger of the two.
    """
    total: ResourceList = {}
    for container in spec.get("containers") or ():
        resources = _resource_list(_resources(container).get(which))
        if non_missing:
            resources = _apply_non_missing(resources, non_missing)
        _add(total, resources)
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for container in spec.get("initContainers") or ():
        resources = _resource_list(_resources(container).get(which))
        if non_missing:
            resources = _apply_non_missing(resources, non_missing)
        if _is_restartable_init_container(container):
            _add(total, resources)
            _add(sidecars, resources)
            resources = sidecars
        else:
            combined: ResourceList = {}
            _add(combined, resources)
            _add(combined, sidecars)
            resources = combined
        _max(init_peak, resources)
    _max(total, init_peak)
    return total


# --- pod-level resources -------------------------------------------------------------------


def is_supported_pod_level_resource(name: str) -> bool:
    """cpu, memory and ``hugepages-*`` may be set at pod level (``IsSupportedPodLevelResource``)."""
    return name in (_CPU, _MEMORY) or name.startswith(_HUGEPAGES_PREFIX)


def _pod_level(pod: Mapping[str, Any]) -> Mapping[str, Any] | None:
    resources: Mapping[str, Any] | None = (pod.get("spec") or {}).get("resources")
    return resources


def is_pod_level_requests_set(pod: Mapping[str, Any]) -> bool:
    """``IsPodLevelRequestsSet``: ``spec.resources.requests`` names a supported resource."""
    resources = _pod_level(pod) or {}
    return any(is_supported_pod_level_resource(n) for n in resources.get("requests") or {})


def is_pod_level_resources_set(pod: Mapping[str, Any]) -> bool:
    """``IsPodLevelResourcesSet``: pod-level requests or limits name a supported resource."""
    resources = _pod_level(pod) or {}
    names = [*(resources.get("requests") or {}), *(resources.get("limits") or {})]
    return any(is_supported_pod_level_resource(n) for n in names)


def _apply_pod_level(into: ResourceList, pod_level: Mapping[str, Any] | None) -> None:
    """``applyPodLevelResources``: pod-level values replace the container-derived ones."""
    for name, value in (pod_level or {}).items():
        if is_supported_pod_level_resource(name):
            into[name] = _quantity(value)


# --- the pod's totals ----------------------------------------------------------------------


def pod_requests(
    pod: Mapping[str, Any],
    *,
    exclude_overhead: bool = False,
    non_missing_container_requests: Mapping[str, Quantity] | None = None,
    skip_pod_level_resources: bool = False,
) -> dict[str, Quantity]:
    """The pod's effective requests (``resource.PodRequests``), as the scheduler sees them.

    1. Sum the app containers, folding in init containers and sidecars (``_aggregate``);
       ``non_missing_container_requests`` fills in resources a container does not name.
    2. Pod-level ``spec.resources.requests`` replace cpu, memory and hugepages, unless
       ``skip_pod_level_resources`` (the PodLevelResources gate off).
    3. Add ``spec.overhead`` unless ``exclude_overhead``.
    """
    spec = pod.get("spec") or {}
    requests = _aggregate(spec, "requests", non_missing_container_requests)
    if not skip_pod_level_resources and is_pod_level_requests_set(pod):
        _apply_pod_level(requests, (_pod_level(pod) or {}).get("requests"))
    if not exclude_overhead and spec.get("overhead") is not None:
        _add(requests, _resource_list(spec.get("overhead")))
    return requests


def pod_limits(
    pod: Mapping[str, Any],
    *,
    exclude_overhead: bool = False,
    skip_pod_level_resources: bool = False,
) -> dict[str, Quantity]:
    """The pod's effective limits (``resource.PodLimits``).

    Containers aggregate as for requests; pod-level ``spec.resources.limits`` replace
    cpu, memory and hugepages when any pod-level request or limit is set; the overhead
    is added only to limits that are present and non-zero.
    """
    spec = pod.get("spec") or {}
    limits = _aggregate(spec, "limits", None)
    if not skip_pod_level_resources and is_pod_level_resources_set(pod):
        _apply_pod_level(limits, (_pod_level(pod) or {}).get("limits"))
    if not exclude_overhead and spec.get("overhead") is not None:
        for name, quantity in _resource_list(spec.get("overhead")).items():
            current = limits.get(name)
            if current is not None and not current.is_zero():
                limits[name] = current + quantity
    return limits


def non_missing_container_requests(
    pod: Mapping[str, Any], *, skip_pod_level_resources: bool = False
) -> dict[str, Quantity]:
    """The defaults the scheduler fills in for containers that request no cpu or memory.

    ``getNonMissingContainerRequests``: without pod-level requests, always 100m cpu and
    200Mi memory; with them, only for a resource missing from the pod's requests.
    """
    defaults = {
        _CPU: Quantity.from_milli(DEFAULT_MILLI_CPU_REQUEST, Format.DecimalSI),
        _MEMORY: Quantity.from_int(DEFAULT_MEMORY_REQUEST, Format.DecimalSI),
    }
    if skip_pod_level_resources or not is_pod_level_requests_set(pod):
        return defaults
    requests = pod_requests(pod)
    return {name: q for name, q in defaults.items() if name not in requests}


def non_zero_pod_requests(
    pod: Mapping[str, Any], *, skip_pod_level_resources: bool = False
) -> dict[str, Quantity]:
    """The requests the scheduler scores with (NodeInfo's ``NonZeroRequested``).

    As :func:`pod_requests`, but a container that names no cpu or memory request counts as
    :data:`DEFAULT_MILLI_CPU_REQUEST` / :data:`DEFAULT_MEMORY_REQUEST` (an explicit zero
    stays zero). Only cpu and memory of the result differ from :func:`pod_requests`.
    """
    defaults = non_missing_container_requests(
        pod, skip_pod_level_resources=skip_pod_level_resources
    )
    if not defaults:
        return pod_requests(pod, skip_pod_level_resources=skip_pod_level_resources)
    return pod_requests(
        pod,
        non_missing_container_requests=defaults,
        skip_pod_level_resources=skip_pod_level_resources,
    )


# --- quality of service --------------------------------------------------------------------


def _resource_qos(resources: Mapping[str, Any]) -> QOSClass:
    """``resourceQOS``: the class of one set of requests and limits (cpu and memory only)."""
    raw_requests = resources.get("requests") or {}
    raw_limits = resources.get("limits") or {}
    if not raw_requests and not raw_limits:
        return QOS_BEST_EFFORT
    qos: QOSClass | None = None
    for name in _QOS_COMPUTE_RESOURCES:
        request = _quantity(raw_requests[name]) if name in raw_requests else _ZERO
        limit = _quantity(raw_limits[name]) if name in raw_limits else _ZERO
        if request != limit:
            return QOS_BURSTABLE
        best_effort = request.is_zero()
        if qos is None:
            qos = QOS_BEST_EFFORT if best_effort else QOS_GUARANTEED
        elif best_effort != (qos == QOS_BEST_EFFORT):
            return QOS_BURSTABLE
    assert qos is not None
    return qos


def compute_qos_class(
    pod: Mapping[str, Any], *, enable_pod_level_resources: bool = True
) -> QOSClass:
    """``ComputePodQOS``: the QoS class from cpu and memory requests and limits.

    BestEffort when nothing sets cpu or memory; Guaranteed when every container (init
    containers included) sets both with requests equal to limits; Burstable otherwise.
    With pod-level resources (``spec.resources`` present and the gate on) only those count.
    """
    spec = pod.get("spec") or {}
    pod_level = spec.get("resources")
    if enable_pod_level_resources and pod_level is not None:
        return _resource_qos(pod_level)
    qos: QOSClass | None = None
    containers: Iterable[Mapping[str, Any]] = [
        *(spec.get("initContainers") or ()),
        *(spec.get("containers") or ()),
    ]
    for container in containers:
        container_qos = _resource_qos(_resources(container))
        if container_qos == QOS_BURSTABLE:
            return QOS_BURSTABLE
        if qos is None:
            qos = container_qos
        elif qos != container_qos:
            return QOS_BURSTABLE
    return qos or QOS_BEST_EFFORT


def qos_class(pod: Mapping[str, Any], *, enable_pod_level_resources: bool = True) -> QOSClass:
    """``GetPodQOS``: ``status.qosClass`` when the pod has one, else :func:`compute_qos_class`."""
    recorded = _QOS_CLASSES.get((pod.get("status") or {}).get("qosClass") or "")
    if recorded is not None:
        return recorded
    return compute_qos_class(pod, enable_pod_level_resources=enable_pod_level_resources)


# --- resource names (pkg/apis/core/v1/helper/helpers.go) -----------------------------------


def is_prefixed_native_resource(name: str) -> bool:
    """The name is in a ``*kubernetes.io/`` namespace."""
    return _DEFAULT_NAMESPACE_PREFIX in name


def is_native_resource(name: str) -> bool:
    """Unprefixed names (``cpu``) and ``*kubernetes.io/`` names are native."""
    return "/" not in name or is_prefixed_native_resource(name)


def is_hugepage_resource_name(name: str) -> bool:
    """``hugepages-2Mi``, ``hugepages-1Gi``, ..."""
    return name.startswith(_HUGEPAGES_PREFIX)


def is_extended_resource_name(name: str) -> bool:
    """``nvidia.com/gpu`` and friends: not native, not ``requests.``-prefixed, and a
    qualified name once quota's ``requests.`` prefix is added."""
    if is_native_resource(name) or name.startswith(_REQUESTS_PREFIX):
        return False
    return not is_qualified_name(_REQUESTS_PREFIX + name)
