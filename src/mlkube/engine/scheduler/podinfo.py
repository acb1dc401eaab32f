"""The scheduler's per-pod cache: a pod parsed once per cycle (``PodInfo``).

Every Filter and Score plugin reads a pod's requests, host ports, labels and compiled
affinity terms for every node it considers; parsing them once here, and memoising the resource
totals across pods with the same containers, keeps the hot loop free of wire-form parsing.
Follows, at Kubernetes v1.37, ``PodInfo`` and ``AffinityTerm`` in
``pkg/scheduler/framework/types.go``. :mod:`mlkube.engine.scheduler.framework` re-exports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import msgspec

from mlkube.api.labels import Selector, SelectorError, selector_from_label_selector
from mlkube.api.resources import non_zero_pod_requests, pod_requests
from mlkube.engine.scheduler.resource import CPU, MEMORY, quantities_to_ints

__all__ = ["AffinityTerm", "PodInfo", "WeightedAffinityTerm", "pod_key"]


def pod_key(pod: Mapping[str, Any]) -> str:
    """The cache key of a pod: its uid, else ``namespace/name``."""
    meta = pod.get("metadata") or {}
    uid = meta.get("uid")
    if uid:
        return str(uid)
    return f"{meta.get('namespace') or 'default'}/{meta.get('name') or ''}"


@dataclass(frozen=True, slots=True)
class AffinityTerm:
    """A compiled ``PodAffinityTerm`` (``fwk.AffinityTerm``).

    ``namespaces`` is the term's list, or the pod's own namespace when the term names neither
    namespaces nor a namespaceSelector; ``namespace_selector`` is ``None`` when absent.
    """

    namespaces: frozenset[str]
    selector: Selector
    topology_key: str
    namespace_selector: Selector | None

    def matches(self, pod: PodInfo, namespace_labels: Mapping[str, str] | None) -> bool:
        """``AffinityTerm.Matches``: namespace (listed or selected), then the label selector."""
        if pod.namespace in self.namespaces or (
            self.namespace_selector is not None
            and namespace_labels is not None
            and self.namespace_selector.matches(namespace_labels)
        ):
            return self.selector.matches(pod.labels)
        return False


@dataclass(frozen=True, slots=True)
class WeightedAffinityTerm:
    term: AffinityTerm
    weight: int


def _affinity_term(
    namespace: str, raw: Mapping[str, Any], labels: Mapping[str, str]
) -> AffinityTerm:
    selector = selector_from_label_selector(_merge_match_label_keys(raw, labels))
    names = raw.get("namespaces") or []
    ns_raw = raw.get("namespaceSelector")
    namespaces = frozenset(names) if (names or ns_raw is not None) else frozenset({namespace})
    ns_selector = None if ns_raw is None else selector_from_label_selector(ns_raw)
    return AffinityTerm(namespaces, selector, str(raw.get("topologyKey") or ""), ns_selector)


def _merge_match_label_keys(
    raw: Mapping[str, Any], labels: Mapping[str, str]
) -> Mapping[str, Any] | None:
    """matchLabelKeys / mismatchLabelKeys are folded into the selector by the API server;
    a term that still carries them is read as upstream's ``MergeLabelKeys`` would."""
    selector = raw.get("labelSelector")
    match_keys = raw.get("matchLabelKeys") or []
    mismatch_keys = raw.get("mismatchLabelKeys") or []
    if selector is None or (not match_keys and not mismatch_keys):
        return selector
    expressions = list(selector.get("matchExpressions") or [])
    for key in match_keys:
        if key in labels:
            expressions.append({"key": key, "operator": "In", "values": [labels[key]]})
    for key in mismatch_keys:
        if key in labels:
            expressions.append({"key": key, "operator": "NotIn", "values": [labels[key]]})
    return {**selector, "matchExpressions": expressions}


_NO_AFFINITY: Final[tuple[Any, ...]] = ((), (), (), (), None)


class PodInfo:
    """A pod parsed once for scheduling (``PodInfo`` plus the resource totals NodeInfo adds).

    ``requests`` are ``resource.PodRequests`` as ints; ``non_zero_cpu``/``non_zero_memory``
    the scheduler's non-zero requests; ``host_ports`` the (ip, protocol, port) triples of
    containers' hostPorts; the affinity terms are compiled lazily and cached.
    """

    __slots__ = (
        "_affinity",
        "has_pod_affinity",
        "host_ports",
        "key",
        "labels",
        "name",
        "namespace",
        "node_name",
        "non_zero_cpu",
        "non_zero_memory",
        "pod",
        "priority",
        "requests",
    )

    def __init__(self, pod: Mapping[str, Any]) -> None:
        meta = pod.get("metadata") or {}
        spec = pod.get("spec") or {}
        self.pod: Mapping[str, Any] = pod
        self.key = pod_key(pod)
        self.name: str = meta.get("name") or ""
        self.namespace: str = meta.get("namespace") or "default"
        self.labels: Mapping[str, str] = meta.get("labels") or {}
        self.node_name: str = spec.get("nodeName") or ""
        self.priority: int = int(spec.get("priority") or 0)
        self.requests, self.non_zero_cpu, self.non_zero_memory, self.host_ports = _pod_totals(spec)
        self._affinity: tuple[Any, ...] | None = None
        affinity = spec.get("affinity") or {}
        self.has_pod_affinity: bool = bool(
            affinity.get("podAffinity") or affinity.get("podAntiAffinity")
        )

    def _compile_affinity(self) -> tuple[Any, ...]:
        if self._affinity is None and not self.has_pod_affinity:
            self._affinity = _NO_AFFINITY
        if self._affinity is None:
            affinity = (self.pod.get("spec") or {}).get("affinity") or {}
            pa = affinity.get("podAffinity") or {}
            paa = affinity.get("podAntiAffinity") or {}
            req = "requiredDuringSchedulingIgnoredDuringExecution"
            pref = "preferredDuringSchedulingIgnoredDuringExecution"
            ns, labels = self.namespace, self.labels
            try:
                self._affinity = (
                    tuple(_affinity_term(ns, t, labels) for t in pa.get(req) or ()),
                    tuple(_affinity_term(ns, t, labels) for t in paa.get(req) or ()),
                    tuple(
                        WeightedAffinityTerm(
                            _affinity_term(ns, w.get("podAffinityTerm") or {}, labels),
                            int(w.get("weight") or 0),
                        )
                        for w in pa.get(pref) or ()
                    ),
                    tuple(
                        WeightedAffinityTerm(
                            _affinity_term(ns, w.get("podAffinityTerm") or {}, labels),
                            int(w.get("weight") or 0),
                        )
                        for w in paa.get(pref) or ()
                    ),
                    None,
                )
            except SelectorError as err:
                self._affinity = ((), (), (), (), str(err))
        return self._affinity

    @property
    def required_affinity_terms(self) -> tuple[AffinityTerm, ...]:
        terms: tuple[AffinityTerm, ...] = self._compile_affinity()[0]
        return terms

    @property
    def required_anti_affinity_terms(self) -> tuple[AffinityTerm, ...]:
        terms: tuple[AffinityTerm, ...] = self._compile_affinity()[1]
        return terms

    @property
    def preferred_affinity_terms(self) -> tuple[WeightedAffinityTerm, ...]:
        terms: tuple[WeightedAffinityTerm, ...] = self._compile_affinity()[2]
        return terms

    @property
    def preferred_anti_affinity_terms(self) -> tuple[WeightedAffinityTerm, ...]:
        terms: tuple[WeightedAffinityTerm, ...] = self._compile_affinity()[3]
        return terms

    @property
    def affinity_error(self) -> str | None:
        error: str | None = self._compile_affinity()[4]
        return error


_Totals = tuple[dict[str, int], int, int, tuple[tuple[str, str, int], ...]]
_TOTALS_CACHE: dict[bytes, _Totals] = {}
_encode = msgspec.json.Encoder().encode


def _pod_totals(spec: Mapping[str, Any]) -> _Totals:
    """Requests, non-zero cpu/memory and host ports, memoised by the parts of the spec they read.

    Callers must not mutate the returned dict (PodInfo treats it as read-only).
    """
    key = _encode(
        (
            spec.get("containers"),
            spec.get("initContainers"),
            spec.get("overhead"),
            spec.get("resources"),
        )
    )
    totals = _TOTALS_CACHE.get(key)
    if totals is None:
        view = {"spec": spec}
        requests = quantities_to_ints(pod_requests(view))
        non_zero = quantities_to_ints(non_zero_pod_requests(view))
        totals = (requests, non_zero.get(CPU, 0), non_zero.get(MEMORY, 0), _host_ports(spec))
        if len(_TOTALS_CACHE) > 65536:
            _TOTALS_CACHE.clear()
        _TOTALS_CACHE[key] = totals
    return totals


def _host_ports(spec: Mapping[str, Any]) -> tuple[tuple[str, str, int], ...]:
    ports: list[tuple[str, str, int]] = []
    sidecars = [c for c in spec.get("initContainers") or () if c.get("restartPolicy") == "Always"]
    for container in [*(spec.get("containers") or ()), *sidecars]:
        for port in container.get("ports") or ():
            host_port = int(port.get("hostPort") or 0)
            if host_port <= 0:
                continue
            ports.append(
                (port.get("hostIP") or "0.0.0.0", port.get("protocol") or "TCP", host_port)
            )
    return tuple(ports)
