"""The endpoints and EndpointSlice controllers: a Service with a selector lists its pods.

Endpoints follow ``pkg/controller/endpoint/endpoints_controller.go`` (syncService,
addEndpointSubset, podToEndpointAddressForService, the headless label) and
``pkg/api/v1/endpoints/util.go`` (RepackSubsets, SortSubsets). EndpointSlices follow
``pkg/controller/endpointslice`` and ``staging/src/k8s.io/endpointslice`` (reconciler.go,
utils.go: slices of at most 100 endpoints, named ``<service>-<random>``, owned by the
Service, labelled ``kubernetes.io/service-name`` and
``endpointslice.kubernetes.io/managed-by``; ready/serving/terminating conditions).

Which pods count is ``ShouldPodBeInEndpoints``: a pod IP, not finished, and (for Endpoints)
not being deleted. Upstream orders ports and subsets by a hash of their Go values; here they
are ordered by name and number, which is the same order for single-port Services.
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.labels import selector_from_set
from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import AlreadyExists, ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = [
    "MANAGED_BY",
    "NAME",
    "EndpointsController",
    "repack_subsets",
    "should_pod_be_in_endpoints",
]

NAME = "endpoints"
HEADLESS_LABEL: Final = "service.kubernetes.io/headless"
SERVICE_NAME_LABEL: Final = "kubernetes.io/service-name"
MANAGED_BY_LABEL: Final = "endpointslice.kubernetes.io/managed-by"
MANAGED_BY: Final = "endpointslice-controller.k8s.io"
TRIGGER_TIME: Final = "endpoints.kubernetes.io/last-change-trigger-time"
#: ``maxEndpointsPerSlice`` default (``--max-endpoints-per-slice``).
MAX_ENDPOINTS_PER_SLICE: Final = 100
_SERVICES = lookup("services")
_ENDPOINTS = lookup("endpoints")
_SLICES = lookup("endpointslices")
_PODS = lookup("pods")
_NODES = lookup("nodes")
_ZONE_LABEL: Final = "topology.kubernetes.io/zone"


def should_pod_be_in_endpoints(pod: dict[str, Any], include_terminating: bool) -> bool:
    """``ShouldPodBeInEndpoints``: not terminal, an IP, and (unless told otherwise) not
    being deleted."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Failed", "Succeeded"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def _pod_ip(pod: dict[str, Any]) -> str:
    status = pod.get("status") or {}
    return str(status.get("podIP") or (status.get("podIPs") or [{}])[0].get("ip", ""))


def _ready(pod: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _find_port(pod: dict[str, Any], port: dict[str, Any]) -> int | None:
    """``podutil.FindPort``: a number, or a named container port."""
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = port.get("protocol", "TCP")
    for container in (pod.get("spec") or {}).get("containers") or []:
        for cp in container.get("ports") or []:
            if cp.get("name") == target and cp.get("protocol", "TCP") == protocol:
                return int(cp["containerPort"])
    return None


def _endpoint_port(port: dict[str, Any], number: int) -> dict[str, Any]:
    out: dict[str, Any] = {"port": number, "protocol": port.get("protocol", "TCP")}
    if port.get("name"):
        out["name"] = port["name"]
    if port.get("appProtocol"):
        out["appProtocol"] = port["appProtocol"]
    return out


def _port_key(p: dict[str, Any]) -> tuple[str, int, str]:
    return (p.get("name", ""), int(p.get("port", 0)), p.get("protocol", ""))


def _headless(service: dict[str, Any]) -> bool:
    """``!IsServiceIPSet``. The embedded API server allocates no cluster IPs yet, so an
    empty ``clusterIP`` is read as not yet allocated rather than headless."""
    return (service.get("spec") or {}).get("clusterIP") == "None"


def _hostname(pod: dict[str, Any], service: dict[str, Any]) -> str | None:
    """``ShouldSetHostname``: the pod's hostname when its subdomain is the Service."""
    spec = pod.get("spec") or {}
    if (
        spec.get("hostname")
        and spec.get("subdomain") == service["metadata"]["name"]
        and pod["metadata"]["namespace"] == service["metadata"]["namespace"]
    ):
        return str(spec["hostname"])
    return None


def repack_subsets(
    entries: list[tuple[dict[str, Any], bool, dict[str, Any] | None]],
) -> list[dict[str, Any]]:
    """``RepackSubsets``: addresses grouped by the set of ports they offer."""
    by_port: dict[tuple[str, int, str], dict[str, tuple[dict[str, Any], bool]]] = {}
    ports: dict[tuple[str, int, str], dict[str, Any]] = {}
    for address, ready, port in entries:
        key = _port_key(port) if port is not None else ("", -1, "")
        if port is not None:
            ports[key] = port
        uid = (address.get("targetRef") or {}).get("uid", "") + "/" + address["ip"]
        by_port.setdefault(key, {})[uid] = (address, ready)
    groups: dict[
        tuple[tuple[str, bool], ...],
        tuple[dict[str, tuple[dict[str, Any], bool]], list[dict[str, Any]]],
    ] = {}
    for key, addrs in by_port.items():
        group_key = tuple(sorted((uid, ready) for uid, (_, ready) in addrs.items()))
        _, group_ports = groups.setdefault(group_key, (addrs, []))
        if key[1] > 0:
            group_ports.append(ports[key])
    subsets = []
    for addrs, group_ports in groups.values():

        def order(a: dict[str, Any]) -> tuple[str, str]:
            return (a["ip"], (a.get("targetRef") or {}).get("uid", ""))

        subset: dict[str, Any] = {}
        up = sorted((a for a, r in addrs.values() if r), key=order)
        down = sorted((a for a, r in addrs.values() if not r), key=order)
        if up:
            subset["addresses"] = up
        if down:
            subset["notReadyAddresses"] = down
        if group_ports:
            subset["ports"] = sorted(group_ports, key=_port_key)
        subsets.append(subset)
    subsets.sort(key=lambda s: [_port_key(p) for p in s.get("ports", [])])
    return subsets


class EndpointsController:
    """Both controllers in one reconciler: they read the same Service and pods."""

    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_SERVICES, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        meta = event.view.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "services":
            return [f"{ns}/{meta.get('name')}"]
        # a pod may have left a selector as well as joined one: look at every Service
        return [f"{ns}/{s['metadata']['name']}" for s in self._api.list(_SERVICES, ns).items]

    def sync(self, key: str) -> float | None:
        ns, _, name = key.partition("/")
        try:
            service = self._api.get(_SERVICES, ns, name)
        except NotFound:
            # syncService: the Endpoints (not owned by the Service) go with it; the
            # EndpointSlices are owned and left to the garbage collector
            with contextlib.suppress(NotFound):
                self._api.delete(_ENDPOINTS, ns, name)
            return None
        selector = (service.get("spec") or {}).get("selector")
        if selector is None or service["spec"].get("type") == "ExternalName":
            return None
        if service["metadata"].get("deletionTimestamp"):
            return None
        pods = self._api.list(_PODS, ns).items
        matching = [
            p
            for p in pods
            if selector_from_set(selector).matches(p["metadata"].get("labels") or {})
        ]
        try:
            self._sync_endpoints(service, matching)
            self._sync_slices(service, matching)
        except (Conflict, AlreadyExists):
            return 1.0
        return None

    # -- Endpoints ----------------------------------------------------------------------------

    def _sync_endpoints(self, service: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        spec = service["spec"]
        tolerate = bool(spec.get("publishNotReadyAddresses"))
        entries: list[tuple[dict[str, Any], bool, dict[str, Any] | None]] = []
        for pod in pods:
            if not should_pod_be_in_endpoints(pod, tolerate):
                continue
            address = self._address(pod, service)
            ready = tolerate or _ready(pod)
            ports = spec.get("ports") or []
            if not ports:
                if spec.get("clusterIP") == "None":
                    entries.append((address, ready, None))
                continue
            for port in ports:
                number = _find_port(pod, port)
                if number is not None:
                    entries.append((address, ready, _endpoint_port(port, number)))
        subsets = repack_subsets(entries)
        meta = service["metadata"]
        labels = dict(meta.get("labels") or {})
        if _headless(service):
            labels[HEADLESS_LABEL] = ""
        try:
            current: dict[str, Any] | None = self._api.get(
                _ENDPOINTS, meta["namespace"], meta["name"]
            )
        except NotFound:
            current = None
        if current is not None:
            if (
                current.get("subsets", []) == subsets
                and (current["metadata"].get("labels") or {}) == labels
            ):
                return
            updated = copy.deepcopy(current)
        else:
            updated = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": meta["name"], "namespace": meta["namespace"]},
            }
        updated["metadata"]["labels"] = labels
        updated["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = format_time(
            self._api.clock.now()
        )
        if subsets:
            updated["subsets"] = subsets
        else:
            updated.pop("subsets", None)
        try:
            if current is None:
                self._api.create(_ENDPOINTS, updated, user_agent=USER_AGENT)
            else:
                self._api.update(
                    _ENDPOINTS, updated, namespace=meta["namespace"], user_agent=USER_AGENT
                )
        except NotFound:
            return
        except ApiError as err:
            if err.reason == "Forbidden":  # a terminating namespace refuses new objects
                return
            raise

    def _address(self, pod: dict[str, Any], service: dict[str, Any]) -> dict[str, Any]:
        meta = pod["metadata"]
        address: dict[str, Any] = {"ip": _pod_ip(pod)}
        hostname = _hostname(pod, service)
        if hostname:
            address["hostname"] = hostname
        if (pod.get("spec") or {}).get("nodeName"):
            address["nodeName"] = pod["spec"]["nodeName"]
        address["targetRef"] = {
            "kind": "Pod",
            "namespace": meta["namespace"],
            "name": meta["name"],
            "uid": meta["uid"],
        }
        return address

    # -- EndpointSlices -------------------------------------------------------------------------

    def _sync_slices(self, service: dict[str, Any], pods: list[dict[str, Any]]) -> None:
        """``reconciler.reconcile`` for one address type: fill slices of at most 100."""
        spec, meta = service["spec"], service["metadata"]
        tolerate = bool(spec.get("publishNotReadyAddresses"))
        endpoints: list[dict[str, Any]] = []
        ports: list[dict[str, Any]] | None = None
        zones = self._zones()
        for pod in pods:
            if not should_pod_be_in_endpoints(pod, True):
                continue
            pod_ports = []
            for port in spec.get("ports") or []:
                number = _find_port(pod, port)
                if number is not None:
                    pod_ports.append(_endpoint_port(port, number))
            if ports is None:
                ports = pod_ports
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            # podToEndpoint: ready is never true for a terminating pod, unless the
            # Service publishes not-ready addresses
            serving = _ready(pod)
            endpoint: dict[str, Any] = {
                "addresses": [_pod_ip(pod)],
                "conditions": {
                    "ready": tolerate or (serving and not terminating),
                    "serving": serving,
                    "terminating": terminating,
                },
            }
            hostname = _hostname(pod, service)
            if hostname:
                endpoint["hostname"] = hostname
            endpoint["targetRef"] = {
                "kind": "Pod",
                "namespace": pod["metadata"]["namespace"],
                "name": pod["metadata"]["name"],
                "uid": pod["metadata"]["uid"],
            }
            node = (pod.get("spec") or {}).get("nodeName")
            if node:
                endpoint["nodeName"] = node
                if zones.get(node):
                    endpoint["zone"] = zones[node]
            endpoints.append(endpoint)
        chunks = [
            endpoints[i : i + MAX_ENDPOINTS_PER_SLICE]
            for i in range(0, len(endpoints), MAX_ENDPOINTS_PER_SLICE)
        ] or [[]]
        labels = {
            **(meta.get("labels") or {}),
            SERVICE_NAME_LABEL: meta["name"],
            MANAGED_BY_LABEL: MANAGED_BY,
        }
        if _headless(service):
            labels[HEADLESS_LABEL] = ""
        existing = [
            s
            for s in self._api.list(_SLICES, meta["namespace"]).items
            if (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL) == meta["name"]
            and (s["metadata"].get("labels") or {}).get(MANAGED_BY_LABEL) == MANAGED_BY
        ]
        existing.sort(
            key=lambda s: (s["metadata"].get("creationTimestamp", ""), s["metadata"]["name"])
        )
        for i, chunk in enumerate(chunks):
            desired = {
                "addressType": "IPv4",
                "endpoints": chunk,
                "ports": ports or [],
            }
            if i < len(existing):
                current = existing[i]
                same = (
                    (current.get("endpoints") or []) == chunk
                    and (current.get("ports") or []) == (ports or [])
                    and (current["metadata"].get("labels") or {}) == labels
                )
                if same:
                    continue
                updated = copy.deepcopy(current)
                updated.update(desired)
                updated["metadata"]["labels"] = labels
                updated["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = format_time(
                    self._api.clock.now()
                )
                self._api.update(
                    _SLICES, updated, namespace=meta["namespace"], user_agent=USER_AGENT
                )
                continue
            body = {
                "apiVersion": "discovery.k8s.io/v1",
                "kind": "EndpointSlice",
                "metadata": {
                    "generateName": f"{meta['name']}-",
                    "namespace": meta["namespace"],
                    "labels": labels,
                    "annotations": {TRIGGER_TIME: format_time(self._api.clock.now())},
                    "ownerReferences": [
                        {
                            "apiVersion": "v1",
                            "kind": "Service",
                            "name": meta["name"],
                            "uid": meta["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                **desired,
            }
            try:
                self._api.create(_SLICES, body, user_agent=USER_AGENT)
            except ApiError as err:
                if err.reason != "Forbidden":
                    raise
        for stale in existing[len(chunks) :]:
            try:
                self._api.delete(_SLICES, meta["namespace"], stale["metadata"]["name"])
            except NotFound:
                continue

    def _zones(self) -> dict[str, str]:
        return {
            n["metadata"]["name"]: (n["metadata"].get("labels") or {}).get(_ZONE_LABEL, "")
            for n in self._api.list(_NODES).items
        }
