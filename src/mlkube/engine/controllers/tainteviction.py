"""The taint eviction controller: pods leave nodes tainted NoExecute, after the shortest
``tolerationSeconds`` of the tolerations they use.

Follows ``pkg/controller/tainteviction/taint_eviction.go``: a node update (its NoExecute
taints changed) or a pod update (its tolerations or node changed) runs processPodOnNode
for the pods concerned, at that moment:

1. no NoExecute taint left: a scheduled eviction is cancelled;
2. a taint is not tolerated: evict now;
3. every used toleration lacks ``tolerationSeconds``: tolerated forever (cancel);
4. otherwise evict at now + the minimum (a value <= 0 means now); an eviction already
   scheduled keeps its original time unless it was scheduled at this very moment.

Evicting records ``Normal TaintManagerEviction "Marking for deletion Pod <ns>/<name>"``,
adds the pod condition ``DisruptionTarget=True`` (reason ``DeletionByTaintManager``,
message ``Taint manager: deleting due to NoExecute taint``) and deletes the pod with
default options; cancelling a scheduled eviction records ``Cancelling deletion of Pod
<ns>/<name>``. Timers run on the cluster clock. The rule for one pod is
:func:`mlkube.api.taints.min_toleration_seconds`.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.taints import EFFECT_NO_EXECUTE, min_toleration_seconds
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer
    from mlkube.engine.clock import Clock
    from mlkube.engine.cluster import Cluster

__all__ = [
    "CANCEL_MESSAGE",
    "CONDITION_MESSAGE",
    "CONDITION_REASON",
    "EVENT_REASON",
    "MARK_MESSAGE",
    "NAME",
    "TaintEvictionController",
    "taint_eviction",
]

NAME: Final = "taint-eviction-controller"
EVENT_REASON: Final = "TaintManagerEviction"
MARK_MESSAGE: Final = "Marking for deletion Pod {pod}"
CANCEL_MESSAGE: Final = "Cancelling deletion of Pod {pod}"
CONDITION_REASON: Final = "DeletionByTaintManager"
CONDITION_MESSAGE: Final = "Taint manager: deleting due to NoExecute taint"
_RETRIES: Final = 5

_NODES = lookup("nodes")
_PODS = lookup("pods")
_EVENTS = lookup("events")


@dataclass
class _Work:
    """A scheduled eviction (``TimedWorker``): created at, fires at (monotonic)."""

    created: float
    fire_at: float


@dataclass
class _PodInfo:
    node: str
    tolerations: list[dict[str, Any]]


def _no_execute(taints: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [dict(t) for t in taints or () if t.get("effect") == EFFECT_NO_EXECUTE]


class TaintEvictionController:
    NAME = NAME

    def __init__(self, api: APIServer, clock: Clock) -> None:
        self._api = api
        self._clock = clock
        self._tainted: dict[str, list[dict[str, Any]]] = {}  # node -> its NoExecute taints
        self._pods: dict[str, _PodInfo] = {}  # "ns/name" -> what matters of the pod
        self._on_node: dict[str, set[str]] = {}
        self._work: dict[str, _Work] = {}
        self._dirty: set[str] = set()  # keys an update asked to process
        self._timers: dict[str, float] = {}
        self._seq = 0

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_NODES, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        if rt is _NODES:
            return self._node_updated(str(meta.get("name", "")), obj, event.type == "DELETED")
        key = f"{meta.get('namespace')}/{meta.get('name')}"
        spec = obj.get("spec") or {}
        if event.type == "DELETED":
            old = self._pods.pop(key, None)
            if old is not None:
                self._on_node.get(old.node, set()).discard(key)
            self._dirty.add(key)
            return (key,)
        info = _PodInfo(str(spec.get("nodeName") or ""), list(spec.get("tolerations") or []))
        old = self._pods.get(key)
        if old == info:
            return ()  # PodUpdated: same tolerations, same node
        if old is not None:
            self._on_node.get(old.node, set()).discard(key)
        self._pods[key] = info
        if info.node:
            self._on_node.setdefault(info.node, set()).add(key)
        self._dirty.add(key)
        return (key,)

    def _node_updated(self, name: str, node: Mapping[str, Any], deleted: bool) -> Iterable[str]:
        taints = [] if deleted else _no_execute((node.get("spec") or {}).get("taints"))
        old = self._tainted.get(name)
        if old is not None and old == taints and not deleted:
            return ()
        if taints:
            self._tainted[name] = taints
        else:
            self._tainted.pop(name, None)
        if deleted or (old is None and not taints):
            return ()
        pods = sorted(self._on_node.get(name, ()))
        self._dirty.update(pods)
        return pods

    def sync(self, key: str) -> float | None:
        now = self._clock.monotonic()
        if self._timers.get(key, math.inf) <= now + 1e-9:
            del self._timers[key]
        work = self._work.get(key)
        if work is not None and work.fire_at <= now + 1e-9:
            del self._work[key]
            self._dirty.discard(key)
            self._evict(key)
            return None
        if key not in self._dirty:  # a timer for work since cancelled or moved
            return self._arm(key, work.fire_at) if work is not None else None
        self._dirty.discard(key)
        self._process(key, now)
        work = self._work.get(key)
        return self._arm(key, work.fire_at) if work is not None else None

    def _arm(self, key: str, when: float) -> float | None:
        now = self._clock.monotonic()
        pending = self._timers.get(key)
        if pending is not None and now < pending <= when + 1e-9:
            return None
        self._timers[key] = when
        return max(0.0, when - now)

    def _process(self, key: str, now: float) -> None:
        """``handlePodUpdate`` / ``handleNodeUpdate`` -> ``processPodOnNode`` for one pod."""
        info = self._pods.get(key)
        taints = self._tainted.get(info.node) if info is not None and info.node else None
        if info is None or not taints:
            self._cancel(key)
            return
        seconds = min_toleration_seconds(info.tolerations, taints)
        if seconds is None:
            self._cancel(key)
            return
        if seconds <= 0:
            self._cancel(key)
            self._evict(key)
            return
        trigger = now + seconds
        start = now
        work = self._work.get(key)
        if work is not None:
            start = work.created
            if start + seconds < trigger - 1e-9:
                return
            self._cancel(key)
        self._work[key] = _Work(start, trigger)

    def _cancel(self, key: str) -> None:
        if self._work.pop(key, None) is not None:
            self._event(key, CANCEL_MESSAGE.format(pod=key))

    def _evict(self, key: str) -> None:
        """``deletePodHandler``: the event, then the condition and the delete, retried."""
        namespace, _, name = key.partition("/")
        self._event(key, MARK_MESSAGE.format(pod=key))
        for _ in range(_RETRIES):
            try:
                pod = self._api.get(_PODS, namespace, name)
                status = dict(pod.get("status") or {})
                conditions = [dict(c) for c in status.get("conditions") or []]
                if _add_condition(conditions, format_time(self._clock.now())):
                    status["conditions"] = conditions
                    self._api.update_status(_PODS, {**pod, "status": status}, user_agent=USER_AGENT)
                self._api.delete(_PODS, namespace, name)
                return
            except NotFound:
                return
            except Conflict:
                continue

    def _event(self, key: str, message: str) -> None:
        namespace, _, name = key.partition("/")
        now = self._clock.now()
        stamp = format_time(now)
        self._seq += 1
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{name}.{int(now.timestamp() * 1e9) + self._seq:x}",
                "namespace": namespace,
            },
            "involvedObject": {
                "apiVersion": "v1",
                "kind": "Pod",
                "name": name,
                "namespace": namespace,
            },
            "reason": EVENT_REASON,
            "message": message,
            "type": "Normal",
            "source": {"component": NAME},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "reportingComponent": NAME,
            "reportingInstance": "",
        }
        with contextlib.suppress(ApiError):  # events are best effort, as the recorder's are
            self._api.create(_EVENTS, event, namespace=namespace, user_agent=USER_AGENT)


def _add_condition(conditions: list[dict[str, Any]], now: str) -> bool:
    """``UpdatePodCondition`` with DisruptionTarget=True; whether anything changed."""
    new = {
        "type": "DisruptionTarget",
        "status": "True",
        "lastProbeTime": None,
        "lastTransitionTime": now,
        "reason": CONDITION_REASON,
        "message": CONDITION_MESSAGE,
    }
    for i, cond in enumerate(conditions):
        if cond.get("type") != "DisruptionTarget":
            continue
        if cond.get("status") == "True":
            new["lastTransitionTime"] = cond.get("lastTransitionTime")
        same = all(cond.get(k) == new[k] for k in ("status", "reason", "message"))
        conditions[i] = new
        return not same
    conditions.append(new)
    return True


def taint_eviction(cluster: Cluster) -> TaintEvictionController:
    """The controller factory for ``Cluster(controllers=[...])``."""
    return TaintEvictionController(cluster.api, cluster.clock)
