"""The node lifecycle controller: a node whose kubelet stops reporting becomes Unknown and
tainted, and the condition taints follow the node's conditions.

Follows ``pkg/controller/nodelifecycle/node_lifecycle_controller.go``:

1. Health (``monitorNodeHealth`` / ``tryUpdateNodeHealth``, every nodeMonitorPeriod = 5 s):
   a node's probe time moves when its Ready heartbeat or its Lease in ``kube-node-lease``
   is renewed; once ``now`` is after probe + nodeMonitorGracePeriod (50 s since v1.32;
   nodeStartupGracePeriod, 60 s, while the node never posted a Ready condition), Ready,
   MemoryPressure, DiskPressure and PIDPressure become Unknown (``NodeStatusUnknown``,
   ``Kubelet stopped posting node status.``; ``NodeStatusNeverUpdated``, ``Kubelet never
   posted node status.`` for a condition the kubelet never wrote).
2. On Ready leaving True: event ``NodeNotReady`` on the node and ``MarkPodsNotReady``
   (each pod's Ready condition False, a Warning ``NodeNotReady`` event); pods bound later
   to such a node are marked too (processPod).
3. NoExecute (``processTaintBaseEviction``, from the Ready condition observed at the start
   of a pass): False -> ``node.kubernetes.io/not-ready``, Unknown ->
   ``node.kubernetes.io/unreachable`` (mutually exclusive), True -> both removed. When every
   zone is fully disrupted, or a zone of at most 50 nodes is partially disrupted, nothing is
   tainted and existing NoExecute taints are removed (``handleDisruption``).
4. NoSchedule (``doNoScheduleTaintingPass``, on every node update): the taints of
   ``nodeConditionToTaintKeyStatusMap`` and ``node.kubernetes.io/unschedulable`` track the
   conditions and ``spec.unschedulable`` -- which removes the ``not-ready:NoSchedule`` taint
   TaintNodesByCondition adds at creation once the node is Ready.

Added taints carry ``timeAdded`` (``SwapNodeControllerTaint``). Not modelled: the eviction
rate limiter (``--node-eviction-rate``), so NoExecute taints land at the pass that decides
them rather than up to 10 s later per extra node in a zone.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer
    from mlkube.engine.clock import Clock
    from mlkube.engine.cluster import Cluster

__all__ = [
    "COMPONENT",
    "NAME",
    "NODE_MONITOR_GRACE_PERIOD",
    "NODE_MONITOR_PERIOD",
    "NODE_STARTUP_GRACE_PERIOD",
    "NodeLifecycleController",
    "node_lifecycle",
]

NAME: Final = "node-lifecycle-controller"
#: The event source of kube-controller-manager's node lifecycle controller.
COMPONENT: Final = "node-controller"
NODE_MONITOR_PERIOD: Final = 5.0
NODE_MONITOR_GRACE_PERIOD: Final = 50.0
NODE_STARTUP_GRACE_PERIOD: Final = 60.0
LARGE_CLUSTER_THRESHOLD: Final = 50
UNHEALTHY_ZONE_THRESHOLD: Final = 0.55

NOT_READY: Final = "node.kubernetes.io/not-ready"
UNREACHABLE: Final = "node.kubernetes.io/unreachable"
UNSCHEDULABLE: Final = "node.kubernetes.io/unschedulable"
STATUS_UNKNOWN: Final = ("NodeStatusUnknown", "Kubelet stopped posting node status.")
NEVER_UPDATED: Final = ("NodeStatusNeverUpdated", "Kubelet never posted node status.")
_MONITORED: Final = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
#: nodeConditionToTaintKeyStatusMap.
_CONDITION_TAINTS: Final = {
    ("Ready", "False"): NOT_READY,
    ("Ready", "Unknown"): UNREACHABLE,
    ("MemoryPressure", "True"): "node.kubernetes.io/memory-pressure",
    ("DiskPressure", "True"): "node.kubernetes.io/disk-pressure",
    ("NetworkUnavailable", "True"): "node.kubernetes.io/network-unavailable",
    ("PIDPressure", "True"): "node.kubernetes.io/pid-pressure",
}
_CONDITION_TAINT_KEYS: Final = frozenset(_CONDITION_TAINTS.values()) | {UNSCHEDULABLE}

_NODES = lookup("nodes")
_PODS = lookup("pods")
_LEASES = lookup("leases")
_EVENTS = lookup("events")


@dataclass
class _Health:
    """``nodeHealthData``: when the node last showed life, as this controller saw it."""

    probe: float
    heartbeat: Any = None  # the Ready condition's lastHeartbeatTime last seen
    lease: Any = None  # the Lease's renewTime last seen
    observed: str | None = None  # Ready status at the last pass
    zone: str = ""
    ready: str = "Unknown"  # the Ready status as last written on the node
    posted: bool = False  # whether the node has a Ready condition at all
    last_pass: float | None = None  # when monitorNodeHealth last looked at the node
    pods: set[str] = field(default_factory=set)


def _ready(node: Mapping[str, Any]) -> Mapping[str, Any] | None:
    conditions: list[dict[str, Any]] = (node.get("status") or {}).get("conditions") or []
    for cond in conditions:
        if cond.get("type") == "Ready":
            return cond
    return None


def _zone(node: Mapping[str, Any]) -> str:
    """``nodetopology.GetZoneKey``."""
    labels = (node.get("metadata") or {}).get("labels") or {}
    region = labels.get("topology.kubernetes.io/region", "")
    zone = labels.get("topology.kubernetes.io/zone", "")
    return f"{region}:\x00:{zone}" if region or zone else ""


class NodeLifecycleController:
    NAME = NAME

    def __init__(
        self,
        api: APIServer,
        clock: Clock,
        *,
        grace_period: float = NODE_MONITOR_GRACE_PERIOD,
        startup_grace_period: float = NODE_STARTUP_GRACE_PERIOD,
        monitor_period: float = NODE_MONITOR_PERIOD,
    ) -> None:
        self._api = api
        self._clock = clock
        self._grace = grace_period
        self._startup = startup_grace_period
        self._period = monitor_period
        self._start = clock.monotonic()
        self._health: dict[str, _Health] = {}
        self._timers: dict[str, float] = {}
        self._seq = 0

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_NODES, _LEASES, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        name = str(meta.get("name", ""))
        if rt is _NODES:
            if event.type == "DELETED":
                self._health.pop(name, None)
                return ()
            health = self._health.get(name)
            if health is not None:
                health.zone = _zone(obj)
                ready = _ready(obj)
                health.posted = ready is not None
                health.ready = str((ready or {}).get("status") or "Unknown")
            return (f"taint/{name}", f"monitor/{name}")
        if rt is _LEASES:
            health = self._health.get(name)
            if meta.get("namespace") == "kube-node-lease" and health is not None:
                renew = (obj.get("spec") or {}).get("renewTime")
                if renew != health.lease:
                    health.lease = renew
                    health.probe = self._clock.monotonic()
            return ()
        node = (obj.get("spec") or {}).get("nodeName")
        health = self._health.get(str(node or ""))
        if health is None:
            return ()
        key = f"{meta.get('namespace')}/{name}"
        if event.type == "DELETED":
            health.pods.discard(key)
            return ()
        if key in health.pods:
            return ()
        health.pods.add(key)
        return (f"pod/{key}",) if health.posted and health.ready != "True" else ()

    def sync(self, key: str) -> float | None:
        now = self._clock.monotonic()
        if self._timers.get(key, math.inf) <= now + 1e-9:
            del self._timers[key]
        kind, _, rest = key.partition("/")
        try:
            if kind == "taint":
                self._no_schedule_pass(rest)
                return None
            if kind == "monitor":
                return self._monitor(key, rest)
            self._mark_new_pod(rest)
        except (Conflict, NotFound):
            return 0.0
        return None

    # -- timers -------------------------------------------------------------------------

    def _after(self, key: str, when: float) -> float | None:
        now = self._clock.monotonic()
        pending = self._timers.get(key)
        if pending is not None and now < pending <= when + 1e-9:
            return None
        self._timers[key] = when
        return max(0.0, when - now)

    def _next_tick(self, after: float, strictly: bool = True) -> float:
        """The first monitor pass (every ``monitor_period`` since start) after ``after``."""
        k = (after - self._start) / self._period
        n = math.floor(k + 1e-9) + 1 if strictly else math.ceil(k - 1e-9)
        return self._start + n * self._period

    # -- 1-3: health, NotReady pods, NoExecute ---------------------------------------

    def _monitor(self, key: str, name: str) -> float | None:
        now = self._clock.monotonic()
        tick = self._next_tick(now, strictly=False)
        if tick > now + 1e-9:
            return self._after(key, tick)
        try:
            node = self._api.get(_NODES, None, name)
        except NotFound:
            self._health.pop(name, None)
            return None
        health = self._health.get(name)
        if health is None:
            health = self._register(node)
        if health.last_pass is not None and health.last_pass >= tick - 1e-9:
            return self._after(key, self._next_tick(now))  # one pass per period
        health.last_pass = tick
        current = _ready(node)
        grace = self._grace if current is not None else self._startup
        heartbeat = (current or {}).get("lastHeartbeatTime")
        if current is not None and heartbeat != health.heartbeat:
            health.heartbeat = heartbeat
            health.probe = now
        observed = str(current.get("status")) if current is not None else "Unknown"
        if now > health.probe + grace + 1e-9:
            node = self._mark_unknown(node)
        ready_now = str((_ready(node) or {}).get("status") or "Unknown")
        health.ready = ready_now
        health.posted = _ready(node) is not None
        previous, health.observed = health.observed, ready_now
        self._no_execute_pass(node, observed)
        if ready_now != "True" and previous in (None, "True") and observed == "True":
            self._node_event(node, "NodeNotReady", f"Node {name} status is now: NodeNotReady")
            self._mark_pods_not_ready(name)
        if ready_now != "True" or observed != ready_now:
            return self._after(key, self._next_tick(now))
        return self._after(key, self._next_tick(health.probe + grace))

    def _register(self, node: Mapping[str, Any]) -> _Health:
        meta = node.get("metadata") or {}
        name = str(meta.get("name", ""))
        created = meta.get("creationTimestamp")
        probe = self._clock.monotonic()
        if _ready(node) is None and isinstance(created, str):
            probe -= (self._clock.now() - parse_time(created)).total_seconds()
        health = _Health(probe=probe, zone=_zone(node))
        health.heartbeat = (_ready(node) or {}).get("lastHeartbeatTime")
        self._health[name] = health
        for pod in self._api.list(_PODS, None, field_selector=f"spec.nodeName={name}").items:
            pm = pod.get("metadata") or {}
            health.pods.add(f"{pm.get('namespace')}/{pm.get('name')}")
        try:
            lease = self._api.get(_LEASES, "kube-node-lease", name)
            health.lease = (lease.get("spec") or {}).get("renewTime")
        except NotFound:
            pass
        self._node_event(
            node, "RegisteredNode", f"Node {name} event: Registered Node {name} in Controller"
        )
        return health

    def _mark_unknown(self, node: dict[str, Any]) -> dict[str, Any]:
        stamp = format_time(self._clock.now())
        meta = node.get("metadata") or {}
        status = dict(node.get("status") or {})
        conditions = [dict(c) for c in status.get("conditions") or []]
        changed = False
        for kind in _MONITORED:
            cond = next((c for c in conditions if c.get("type") == kind), None)
            if cond is None:
                reason, message = NEVER_UPDATED
                conditions.append(
                    {
                        "type": kind,
                        "status": "Unknown",
                        "reason": reason,
                        "message": message,
                        "lastHeartbeatTime": meta.get("creationTimestamp"),
                        "lastTransitionTime": stamp,
                    }
                )
                changed = True
            elif cond.get("status") != "Unknown":
                cond["status"] = "Unknown"
                cond["reason"], cond["message"] = STATUS_UNKNOWN
                cond["lastTransitionTime"] = stamp
                changed = True
        if not changed:
            return node
        status["conditions"] = conditions
        return self._api.update_status(
            _NODES, {**node, "status": status}, user_agent=USER_AGENT
        ).object

    def _disrupted(self, zone: str) -> bool:
        """Whether tainting is off for ``zone``: every zone fully disrupted, or this zone
        partially disrupted while small (ReducedQPSFunc gives it no rate)."""
        zones: dict[str, list[str]] = {}
        for h in self._health.values():
            zones.setdefault(h.zone, []).append(h.ready)
        states = {z: _zone_state(r) for z, r in zones.items()}
        if states and all(s == "FullDisruption" for s in states.values()):
            return True
        return (
            states.get(zone) == "PartialDisruption"
            and len(zones.get(zone, ())) <= LARGE_CLUSTER_THRESHOLD
        )

    def _no_execute_pass(self, node: dict[str, Any], observed: str) -> None:
        name = str(node["metadata"]["name"])
        health = self._health[name]
        if observed == "True" or self._disrupted(health.zone):
            self._swap(node, add=[], remove=[NOT_READY, UNREACHABLE], effect="NoExecute")
            return
        current = str((_ready(node) or {}).get("status") or "Unknown")
        if current == "True":
            return
        add, opposite = (NOT_READY, UNREACHABLE) if current == "False" else (UNREACHABLE, NOT_READY)
        self._swap(node, add=[add], remove=[opposite], effect="NoExecute")

    def _mark_pods_not_ready(self, node: str) -> None:
        pods = self._api.list(_PODS, None, field_selector=f"spec.nodeName={node}").items
        for pod in pods:
            self._mark_pod(pod)

    def _mark_new_pod(self, key: str) -> None:
        namespace, _, name = key.partition("/")
        pod = self._api.get(_PODS, namespace, name)
        health = self._health.get(str((pod.get("spec") or {}).get("nodeName") or ""))
        # processPod: a node that never posted a Ready condition is handled by its passes.
        if health is not None and health.posted and health.ready != "True":
            self._mark_pod(pod)

    def _mark_pod(self, pod: dict[str, Any]) -> None:
        """``MarkPodsNotReady`` for one pod: Ready -> False (its reason and message kept)."""
        status = dict(pod.get("status") or {})
        conditions = [dict(c) for c in status.get("conditions") or []]
        for cond in conditions:
            if cond.get("type") != "Ready" or cond.get("status") == "False":
                continue
            cond["status"] = "False"
            cond["lastTransitionTime"] = format_time(self._clock.now())
            status["conditions"] = conditions
            try:
                self._api.update_status(_PODS, {**pod, "status": status}, user_agent=USER_AGENT)
            except NotFound:
                return
            self._event(pod, "Warning", "NodeNotReady", "Node is not ready")
            return

    # -- 4: NoSchedule ------------------------------------------------------------------

    def _no_schedule_pass(self, name: str) -> None:
        try:
            node = self._api.get(_NODES, None, name)
        except NotFound:
            return
        wanted = []
        for cond in (node.get("status") or {}).get("conditions") or []:
            key = _CONDITION_TAINTS.get((cond.get("type"), cond.get("status")))
            if key is not None:
                wanted.append(key)
        if (node.get("spec") or {}).get("unschedulable"):
            wanted.append(UNSCHEDULABLE)
        have = [
            t.get("key")
            for t in (node.get("spec") or {}).get("taints") or []
            if t.get("effect") == "NoSchedule" and t.get("key") in _CONDITION_TAINT_KEYS
        ]
        add = [k for k in wanted if k not in have]
        remove = [str(k) for k in have if k not in wanted]
        if add or remove:
            self._swap(node, add=add, remove=remove, effect="NoSchedule")

    def _swap(
        self, node: dict[str, Any], *, add: list[str], remove: list[str], effect: str
    ) -> None:
        """``SwapNodeControllerTaint``: add (with timeAdded) and remove taints by key."""
        taints = [dict(t) for t in (node.get("spec") or {}).get("taints") or []]
        kept = [t for t in taints if not (t.get("key") in remove and t.get("effect") == effect)]
        present = {(t.get("key"), t.get("effect")) for t in kept}
        stamp = format_time(self._clock.now())
        for key in add:
            if (key, effect) not in present:
                kept.append({"key": key, "effect": effect, "timeAdded": stamp})
        if kept == taints:
            return
        spec = {**(node.get("spec") or {}), "taints": kept}
        if not kept:
            spec.pop("taints")
        updated = self._api.update(_NODES, {**node, "spec": spec}, user_agent=USER_AGENT).object
        node.clear()
        node.update(updated)

    # -- events -------------------------------------------------------------------------

    def _node_event(self, node: Mapping[str, Any], reason: str, message: str) -> None:
        self._event(node, "Normal", reason, message)

    def _event(self, obj: Mapping[str, Any], kind: str, reason: str, message: str) -> None:
        meta = obj.get("metadata") or {}
        now = self._clock.now()
        namespace = meta.get("namespace") or "default"
        stamp = format_time(now)
        self._seq += 1
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{meta.get('name')}.{int(now.timestamp() * 1e9) + self._seq:x}",
                "namespace": namespace,
            },
            "involvedObject": {
                "apiVersion": "v1",
                "kind": obj.get("kind") or ("Pod" if meta.get("namespace") else "Node"),
                "name": meta.get("name"),
                "uid": meta.get("uid"),
                **({"namespace": meta["namespace"]} if meta.get("namespace") else {}),
            },
            "reason": reason,
            "message": message,
            "type": kind,
            "source": {"component": COMPONENT},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "reportingComponent": COMPONENT,
            "reportingInstance": "",
        }
        with contextlib.suppress(ApiError):  # events are best effort, as the recorder's are
            self._api.create(_EVENTS, event, namespace=namespace, user_agent=USER_AGENT)


def _zone_state(ready: Sequence[str]) -> str:
    """``ComputeZoneState``."""
    not_ready = sum(1 for r in ready if r != "True")
    if ready and not_ready == len(ready):
        return "FullDisruption"
    if not_ready > 2 and not_ready / len(ready) >= UNHEALTHY_ZONE_THRESHOLD:
        return "PartialDisruption"
    return "Normal"


def node_lifecycle(cluster: Cluster) -> NodeLifecycleController:
    """The controller factory for ``Cluster(controllers=[...])``."""
    return NodeLifecycleController(cluster.api, cluster.clock)
