"""The ReplicaSet controller: keep ``spec.replicas`` pods that match the selector.

Follows ``pkg/controller/replicaset/replica_set.go`` (syncReplicaSet, manageReplicas,
slowStartBatch, getPodsToDelete), ``replica_set_utils.go`` (calculateStatus),
``pkg/controller/controller_ref_manager.go`` (ClaimPods: adopt orphans that match, release
owned pods that no longer do) and ``pkg/controller/controller_utils.go``
(ActivePodsWithRanks, GetPodFromTemplate). Pods are read through the API server on every
sync, so upstream's expectations (which only bridge informer lag) are not needed.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.labels import selector_from_label_selector, selector_from_set
from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.events import record
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = [
    "BURST_REPLICAS",
    "NAME",
    "ReplicaSetController",
    "controller_of",
    "controller_ref",
    "is_pod_active",
    "is_pod_available",
    "is_pod_ready",
    "is_pod_terminating",
    "pod_from_template",
    "pods_to_delete",
]

NAME = "replicaset"
COMPONENT: Final = "replicaset-controller"
#: ``BurstReplicas``: at most this many creations or deletions per sync.
BURST_REPLICAS: Final = 500
_SLOW_START_INITIAL_BATCH_SIZE: Final = 1
#: ``workqueue.DefaultTypedControllerRateLimiter``: 5 ms doubling, capped at 1000 s.
_BACKOFF_BASE: Final = 0.005
_BACKOFF_MAX: Final = 1000.0
_OMIT_WHEN_ZERO: Final = (
    "fullyLabeledReplicas",
    "readyReplicas",
    "availableReplicas",
    "observedGeneration",
)
_DELETION_COST: Final = "controller.kubernetes.io/pod-deletion-cost"
#: The tail of the Forbidden message for a create in a terminating namespace.
_NAMESPACE_TERMINATING: Final = "because it is being terminated"
_PODS = lookup("pods")
_RS = lookup("replicasets")
_EVENTS = lookup("events")


# -- pod predicates (podutil) ---------------------------------------------------------


def is_pod_active(pod: dict[str, Any]) -> bool:
    """``controller.IsPodActive``: not finished and not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def is_pod_terminating(pod: dict[str, Any]) -> bool:
    """``controller.IsPodTerminating``: being deleted and not yet finished."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and bool(pod["metadata"].get("deletionTimestamp"))


def _ready_condition(pod: dict[str, Any]) -> dict[str, Any] | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return dict(cond)
    return None


def is_pod_ready(pod: dict[str, Any]) -> bool:
    cond = _ready_condition(pod)
    return cond is not None and cond.get("status") == "True"


def is_pod_available(pod: dict[str, Any], min_ready_seconds: int, now: datetime) -> bool:
    """``podutil.IsPodAvailable``: Ready for at least ``minReadySeconds``."""
    cond = _ready_condition(pod)
    if cond is None or cond.get("status") != "True":
        return False
    if min_ready_seconds == 0:
        return True
    since = cond.get("lastTransitionTime")
    if not since:
        return False
    return (now - parse_time(str(since))).total_seconds() >= min_ready_seconds


# -- deletion ranking (controller_utils.go ActivePodsWithRanks) ----------------------------

_PHASE_ORDER = {"Pending": 0, "Unknown": 1, "Running": 2}


def _deletion_cost(pod: dict[str, Any]) -> int:
    raw = ((pod["metadata"].get("annotations") or {}).get(_DELETION_COST)) or "0"
    try:
        value = int(raw)
    except ValueError:
        return 0
    return value if -(2**31) <= value < 2**31 else 0


def _log_rank(t: datetime, now: datetime) -> int:
    nanos = (now - t).total_seconds() * 1e9
    return int(math.log2(nanos)) if nanos > 0 else -1


def _max_restarts(pod: dict[str, Any]) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return max((int(s.get("restartCount") or 0) for s in statuses), default=0)


def _compare(a: tuple[dict[str, Any], int], b: tuple[dict[str, Any], int], now: datetime) -> int:
    """``ActivePodsWithRanks.Less`` with LogarithmicScaleDown (on since v1.22): -1 when
    ``a`` should be deleted before ``b``."""
    (p, rank_p), (q, rank_q) = a, b
    sp, sq = p.get("spec") or {}, q.get("spec") or {}
    # 1. unassigned < assigned
    if bool(sp.get("nodeName")) != bool(sq.get("nodeName")):
        return -1 if not sp.get("nodeName") else 1
    # 2. Pending < Unknown < Running
    pp = _PHASE_ORDER.get((p.get("status") or {}).get("phase", ""), 0)
    pq = _PHASE_ORDER.get((q.get("status") or {}).get("phase", ""), 0)
    if pp != pq:
        return -1 if pp < pq else 1
    # 3. not ready < ready
    rp, rq = is_pod_ready(p), is_pod_ready(q)
    if rp != rq:
        return -1 if not rp else 1
    # 4. lower pod-deletion-cost < higher
    cp, cq = _deletion_cost(p), _deletion_cost(q)
    if cp != cq:
        return -1 if cp < cq else 1
    # 5. doubled up (more related pods on the node) < not doubled up
    if rank_p != rank_q:
        return -1 if rank_p > rank_q else 1
    uid_order = -1 if p["metadata"].get("uid", "") < q["metadata"].get("uid", "") else 1
    # 6. ready for less time < more time, in log2 buckets
    if rp and rq:
        tp = (_ready_condition(p) or {}).get("lastTransitionTime")
        tq = (_ready_condition(q) or {}).get("lastTransitionTime")
        if tp != tq:
            if not tp or not tq:
                return -1 if not tp else 1  # afterOrZero: the zero time sorts first
            diff = _log_rank(parse_time(tp), now) - _log_rank(parse_time(tq), now)
            return uid_order if diff == 0 else (-1 if diff < 0 else 1)
    # 7. more container restarts < fewer
    mp, mq = _max_restarts(p), _max_restarts(q)
    if mp != mq:
        return -1 if mp > mq else 1
    # 8. newer < older, in log2 buckets
    tp, tq = p["metadata"].get("creationTimestamp"), q["metadata"].get("creationTimestamp")
    if tp != tq:
        if not tp or not tq:
            return -1 if not tp else 1
        diff = _log_rank(parse_time(tp), now) - _log_rank(parse_time(tq), now)
        return uid_order if diff == 0 else (-1 if diff < 0 else 1)
    return 0


def pods_to_delete(
    pods: Sequence[dict[str, Any]],
    related: Sequence[dict[str, Any]],
    count: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """``getPodsToDelete``: the ``count`` pods a scale-down removes first; a pod's rank is
    how many active ``related`` pods share its node."""
    if count >= len(pods):
        return list(pods)
    on_node: dict[str, int] = {}
    for pod in related:
        if is_pod_active(pod):
            node = (pod.get("spec") or {}).get("nodeName", "")
            on_node[node] = on_node.get(node, 0) + 1
    ranked = [(p, on_node.get((p.get("spec") or {}).get("nodeName", ""), 0)) for p in pods]
    ranked.sort(key=functools.cmp_to_key(functools.partial(_compare, now=now)))
    return [p for p, _ in ranked[:count]]


# -- the controller ---------------------------------------------------------------------


def controller_ref(owner: dict[str, Any]) -> dict[str, Any]:
    """``metav1.NewControllerRef``."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    """``metav1.GetControllerOf``."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


class ReplicaSetController:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api
        self._failures: dict[str, int] = {}

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_RS, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.view
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "replicasets":
            return [f"{ns}/{meta.get('name')}"]
        ref = controller_of(obj)
        if ref is not None:
            return [f"{ns}/{ref['name']}"] if ref.get("kind") == "ReplicaSet" else []
        # an orphan: every ReplicaSet that could adopt it (getPodReplicaSets)
        labels = meta.get("labels") or {}
        out = []
        for rs in self._api.list(_RS, ns).items:
            selector = (rs.get("spec") or {}).get("selector")
            if selector and selector_from_label_selector(selector).matches(labels):
                out.append(f"{ns}/{rs['metadata']['name']}")
        return out

    def sync(self, key: str) -> float | None:
        ns, _, name = key.partition("/")
        try:
            rs = self._api.get(_RS, ns, name)
        except NotFound:
            self._failures.pop(key, None)
            return None
        delay: float | None = None
        try:
            delay, failed = self._sync(rs)
        except (Conflict, NotFound):
            failed = True
        if not failed:
            self._failures.pop(key, None)
            return delay
        # a failed sync is retried with the workqueue's per-item exponential backoff
        attempt = self._failures.get(key, 0)
        self._failures[key] = attempt + 1
        backoff: float = _BACKOFF_BASE * 2.0**attempt
        return min(backoff, _BACKOFF_MAX)

    def _sync(self, rs: dict[str, Any]) -> tuple[float | None, bool]:
        """``syncReplicaSet``: 1. claim active pods, 2. create or delete, 3. status from
        the pods as claimed (new pods are counted when their events arrive), 4. a resync
        after ``minReadySeconds`` while ready pods are not yet available."""
        ns, uid = rs["metadata"]["namespace"], rs["metadata"]["uid"]
        spec = rs.get("spec") or {}
        selector = selector_from_label_selector(spec.get("selector"))
        all_pods = self._api.list(_PODS, ns).items
        # 1. claim (FilterActivePods, then ClaimPods); terminating pods are only counted
        active = self._claim(rs, selector, [p for p in all_pods if is_pod_active(p)])
        terminating = [
            p
            for p in all_pods
            if is_pod_terminating(p)
            and (ref := controller_of(p)) is not None
            and ref.get("uid") == uid
            and selector.matches(p["metadata"].get("labels") or {})
        ]
        # 2. manageReplicas
        failure: tuple[str, str] | None = None
        if not rs["metadata"].get("deletionTimestamp"):
            failure = self._manage(rs, active)
        # 3. calculateStatus / updateReplicaSetStatus
        min_ready = int(spec.get("minReadySeconds") or 0)
        status = self._status(rs, active, terminating, failure, min_ready)
        self._write_status(rs, status)
        # 4. the MinReadySeconds resync
        want = int(spec.get("replicas", 1))
        if failure is not None:
            return None, True
        if (
            min_ready > 0
            and status.get("readyReplicas", 0) == want
            and status.get("availableReplicas", 0) != want
        ):
            return float(min_ready), False
        return None, False

    def _claim(
        self, rs: dict[str, Any], selector: Any, pods: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """``ClaimPods``: adopt matching orphans, release owned pods that no longer match."""
        uid = rs["metadata"]["uid"]
        can_adopt = not rs["metadata"].get("deletionTimestamp")
        claimed: list[dict[str, Any]] = []
        for pod in pods:
            labels = pod["metadata"].get("labels") or {}
            ref = controller_of(pod)
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if selector.matches(labels) or not can_adopt:
                    claimed.append(pod)
                    continue
                self._set_owner_refs(
                    pod, [r for r in pod["metadata"]["ownerReferences"] if r.get("uid") != uid]
                )
                continue
            if (
                not can_adopt
                or not selector.matches(labels)
                or pod["metadata"].get("deletionTimestamp")
            ):
                continue
            refs = [*(pod["metadata"].get("ownerReferences") or []), controller_ref(rs)]
            adopted = self._set_owner_refs(pod, refs)
            if adopted is not None:
                claimed.append(adopted)
        return claimed

    def _set_owner_refs(
        self, pod: dict[str, Any], refs: list[dict[str, Any]]
    ) -> dict[str, Any] | None:
        updated = copy.deepcopy(pod)
        if refs:
            updated["metadata"]["ownerReferences"] = refs
        else:
            updated["metadata"].pop("ownerReferences", None)
        try:
            return self._api.update(
                _PODS, updated, namespace=pod["metadata"]["namespace"], user_agent=USER_AGENT
            ).object
        except NotFound:
            return None

    def _manage(self, rs: dict[str, Any], active: list[dict[str, Any]]) -> tuple[str, str] | None:
        """``manageReplicas``; returns the failure (reason, message), if any."""
        want = int((rs.get("spec") or {}).get("replicas", 1))
        diff = len(active) - want
        if diff < 0:
            message = self._create_pods(rs, min(-diff, BURST_REPLICAS))
            return None if message is None else ("FailedCreate", message)
        if diff > 0:
            now = self._api.clock.now()
            related = self._related_pods(rs)
            for pod in pods_to_delete(active, related, min(diff, BURST_REPLICAS), now):
                meta = pod["metadata"]
                try:
                    self._api.delete(_PODS, meta["namespace"], meta["name"])
                except NotFound:
                    continue
                except ApiError as err:
                    self._event(rs, "Warning", "FailedDelete", f"Error deleting: {err.message}")
                    return ("FailedDelete", str(err.message))
                self._event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {meta['name']}")
        return None

    def _related_pods(self, rs: dict[str, Any]) -> list[dict[str, Any]]:
        """``getIndirectlyRelatedPods``: the pods of every ReplicaSet with the same
        controller (a Deployment's old and new sets), each counted once."""
        ns = rs["metadata"]["namespace"]
        owner = controller_of(rs)
        siblings = (
            [
                r
                for r in self._api.list(_RS, ns).items
                if (ref := controller_of(r)) is not None and ref.get("uid") == owner.get("uid")
            ]
            if owner is not None
            else [rs]
        )
        pods = self._api.list(_PODS, ns).items
        seen: dict[str, dict[str, Any]] = {}
        for sibling in siblings:
            selector = selector_from_label_selector((sibling.get("spec") or {}).get("selector"))
            for pod in pods:
                if selector.matches(pod["metadata"].get("labels") or {}):
                    seen.setdefault(pod["metadata"]["uid"], pod)
        return list(seen.values())

    def _create_pods(self, rs: dict[str, Any], count: int) -> str | None:
        """``slowStartBatch``: batches of 1, 2, 4, ...; a batch with a failure is the
        last. Returns the first failure's message."""
        batch, remaining = _SLOW_START_INITIAL_BATCH_SIZE, count
        while remaining > 0:
            size = min(batch, remaining)
            failed: str | None = None
            for _ in range(size):
                try:
                    pod = self._api.create(_PODS, pod_from_template(rs), user_agent=USER_AGENT)
                except ApiError as err:
                    # CreatePods: no event when the namespace is terminating
                    if _NAMESPACE_TERMINATING not in str(err.message):
                        self._event(rs, "Warning", "FailedCreate", f"Error creating: {err.message}")
                    failed = failed or str(err.message)
                    continue
                created = pod.object["metadata"]["name"]
                self._event(rs, "Normal", "SuccessfulCreate", f"Created pod: {created}")
            if failed is not None:
                return failed
            remaining -= size
            batch *= 2
        return None

    def _status(
        self,
        rs: dict[str, Any],
        active: list[dict[str, Any]],
        terminating: list[dict[str, Any]],
        failure: tuple[str, str] | None,
        min_ready: int,
    ) -> dict[str, Any]:
        """``calculateStatus``."""
        spec = rs.get("spec") or {}
        template_labels = selector_from_set(
            ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        )
        now = self._api.clock.now()
        ready = [p for p in active if is_pod_ready(p)]
        status: dict[str, Any] = {
            "replicas": len(active),
            "fullyLabeledReplicas": sum(
                1 for p in active if template_labels.matches(p["metadata"].get("labels") or {})
            ),
            "readyReplicas": len(ready),
            "availableReplicas": sum(1 for p in ready if is_pod_available(p, min_ready, now)),
            "terminatingReplicas": len(terminating),
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        # ReplicaSetStatus: only replicas (and the terminatingReplicas pointer) are written
        # when zero; the other counters are omitempty
        for key in _OMIT_WHEN_ZERO:
            if not status[key]:
                del status[key]
        # a failure is recorded once and kept until a sync succeeds (SetCondition)
        conditions = list((rs.get("status") or {}).get("conditions") or [])
        has_failure = any(c.get("type") == "ReplicaFailure" for c in conditions)
        if failure is not None and not has_failure:
            reason, message = failure
            conditions.append(
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "lastTransitionTime": format_time(now),
                    "reason": reason,
                    "message": message,
                }
            )
        elif failure is None and has_failure:
            conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
        if conditions:
            status["conditions"] = conditions
        return status

    def _write_status(self, rs: dict[str, Any], status: dict[str, Any]) -> None:
        if (rs.get("status") or {}) == status:
            return
        self._api.update_status(
            _RS,
            {**rs, "status": status},
            namespace=rs["metadata"]["namespace"],
            user_agent=USER_AGENT,
        )

    def _event(self, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
        _record_event(self._api, obj, kind, reason, message, COMPONENT)


def pod_from_template(owner: dict[str, Any]) -> dict[str, Any]:
    """``GetPodFromTemplate``: labels, annotations and finalizers of the template, the
    owner's name plus ``-`` as ``generateName``, and a controller reference."""
    template = copy.deepcopy((owner.get("spec") or {}).get("template") or {})
    tmeta = template.get("metadata") or {}
    meta: dict[str, Any] = {
        "generateName": f"{owner['metadata']['name']}-",
        "namespace": owner["metadata"]["namespace"],
        "ownerReferences": [controller_ref(owner)],
    }
    for key in ("labels", "annotations", "finalizers"):
        if tmeta.get(key):
            meta[key] = tmeta[key]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": template.get("spec") or {}}


def _record_event(
    api: APIServer, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
) -> None:
    """Record a core/v1 Event through the shared recorder (count aggregation and
    ``<object>.<hex nanos>`` names as client-go's)."""
    record(api, obj, kind, reason, message, component)
