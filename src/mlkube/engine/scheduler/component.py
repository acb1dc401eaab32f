"""kube-scheduler inside the embedded cluster: the scheduling library, fed by watches, writing
through the API server.

What ``cmd/kube-scheduler`` adds around the framework (``pkg/scheduler/eventhandlers.go``,
``schedule_one.go``): the snapshot kept current from watch events on nodes, pods, volumes,
claims, classes, budgets and workloads; unscheduled pods of ``default-scheduler`` queued and
retried on cluster events with back-off on the cluster's clock; a placement written as a
Binding (after the volume decisions: the chosen node on claims waiting for a first consumer,
the chosen volume on pre-bound claims), with the ``Scheduled`` event; a failure written as
``PodScheduled=False`` (reason ``Unschedulable``, the FitError's words) with a
``FailedScheduling`` event, and for preemption the nominated node on the preemptor and the
victims deleted with the ``DisruptionTarget`` condition and a ``Preempted`` event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers.events import NORMAL, WARNING, record
from mlkube.engine.errors import ApiError, Conflict, NotFound
from mlkube.engine.scheduler.plugins.volumebinding import PodVolumes
from mlkube.engine.scheduler.profile import Profile
from mlkube.engine.scheduler.queue import SchedulingQueue
from mlkube.engine.scheduler.scheduler import ERR_NO_NODES_AVAILABLE, Scheduler
from mlkube.engine.scheduler.snapshot import Snapshot
from mlkube.engine.store import DELETED, Event

if TYPE_CHECKING:
    from mlkube.engine.cluster import Cluster

__all__ = ["NAME", "SELECTED_NODE_ANNOTATION", "SchedulerComponent", "scheduler"]

NAME = "default-scheduler"
#: kube-scheduler's client: the manager of its status writes and Events
USER_AGENT = "kube-scheduler/v1.37.2 (linux/amd64) kubernetes/mlkube"
SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node"
MSG_SCHEDULED = "Successfully assigned {ns}/{name} to {node}"
MSG_PREEMPTED = "Preempted by pod {uid} on node {node}"
_CYCLE = "cycle"

_NODES, _PODS = lookup("nodes"), lookup("pods")
_PVCS, _PVS = lookup("persistentvolumeclaims"), lookup("persistentvolumes")
_CLASSES, _PDBS = lookup("storageclasses"), lookup("poddisruptionbudgets")
_NAMESPACES = lookup("namespaces")
_WORKLOADS = (lookup("services"), lookup("replicasets"), lookup("statefulsets"))


def scheduler(cluster: Cluster) -> SchedulerComponent:
    """The controller factory the embedded cluster runs (``DEFAULT_CONTROLLERS``)."""
    return SchedulerComponent(cluster)


class SchedulerComponent:
    """One kube-scheduler with the default profile (or ``profile``)."""

    NAME = NAME

    def __init__(self, cluster: Cluster, profile: Profile | None = None) -> None:
        self._api = cluster.api
        self._clock = cluster.clock
        self.snapshot = Snapshot([], [])
        seed = cluster.rng.randrange(2**32)
        self.scheduler = Scheduler(self.snapshot, profile, bind=self._bind, seed=seed)
        self.queue = SchedulingQueue(self._clock)

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_NODES, _PODS, _PVCS, _PVS, _CLASSES, _PDBS, _NAMESPACES, *_WORKLOADS)

    # -- events ---------------------------------------------------------------------

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        deleted = event.type == DELETED
        if rt is _PODS:
            # A bound pod is only read (the snapshot copies what it assumes); a pending
            # pod is queued and later written back, so it gets a private copy.
            view = event.view
            bound = bool((view.get("spec") or {}).get("nodeName"))
            return self._pod_event(view if bound else event.object, deleted)
        obj = event.object
        if rt is _NODES:
            if deleted:
                self.snapshot.remove_node(obj["metadata"]["name"])
            elif self.snapshot.get(obj["metadata"]["name"]) is None:
                self.snapshot.add_node(obj)
            else:
                self.snapshot.update_node(obj)
        else:
            self._other_event(rt, obj, deleted)
        self.queue.move_all_to_active_or_backoff(rt.kind)
        return [_CYCLE]

    def _pod_event(self, pod: dict[str, Any], deleted: bool) -> list[str]:
        spec, meta = pod.get("spec") or {}, pod["metadata"]
        if spec.get("nodeName"):
            if deleted:
                self.snapshot.remove_pod(pod)
            else:
                self.snapshot.update_pod(pod)
            self.queue.delete(pod)
            # A pod that finishes or goes frees room: unschedulable pods may fit now.
            if deleted or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                self.queue.move_all_to_active_or_backoff("Pod")
            return [_CYCLE]
        if deleted or meta.get("deletionTimestamp"):
            self.queue.delete(pod)
            return []
        if spec.get("schedulerName", NAME) != NAME:
            return []
        if self.queue.where(pod) is None:
            self.queue.add(pod)
        else:
            self.queue.update(pod)
        return [_CYCLE]

    def _other_event(self, rt: ResourceType, obj: dict[str, Any], deleted: bool) -> None:
        meta = obj["metadata"]
        if rt is _PVCS:
            if deleted:
                self.snapshot.remove_pvc(meta.get("namespace", ""), meta["name"])
            else:
                self.snapshot.set_pvc(obj)
        elif rt is _PVS:
            if deleted:
                self.snapshot.remove_pv(meta["name"])
            else:
                self.snapshot.set_pv(obj)
        elif rt is _CLASSES:
            if deleted:
                self.snapshot.remove_storage_class(meta["name"])
            else:
                self.snapshot.set_storage_class(obj)
        elif rt is _PDBS:
            if deleted:
                self.snapshot.remove_pdb(meta.get("namespace", ""), meta["name"])
            else:
                self.snapshot.set_pdb(obj)
        elif rt is _NAMESPACES:
            if not deleted:
                self.snapshot.set_namespace(obj)
        elif deleted:
            self.snapshot.remove_workload(rt.kind, meta.get("namespace", ""), meta["name"])
        else:
            self.snapshot.set_workload(obj)

    # -- the scheduling loop ----------------------------------------------------------

    def sync(self, key: str) -> float | None:
        """Schedule every pod the queue offers now; come back when a back-off ends."""
        while (info := self.queue.pop()) is not None:
            pod = self._fresh(info.pod)
            if pod is None:
                self.queue.delete(info.pod)
                continue
            result = self.scheduler.schedule_one(pod)
            if result.node_name is not None:
                self.queue.done(pod)
                continue
            if result.error == ERR_NO_NODES_AVAILABLE:
                # UnschedulableAndUnresolvable: reported like a fit error, retried when a
                # node appears
                self._unschedulable(pod, result.error)
                self.queue.add_unschedulable(info)
                continue
            if result.error and result.fit_error is None:
                self.queue.add_unschedulable(info, error=True)
                continue
            if result.nominated_node_name:
                self._preempt(pod, result.nominated_node_name, result.victims)
            self._unschedulable(pod, result.message)
            plugins = frozenset(result.fit_error.unschedulable_plugins if result.fit_error else ())
            self.queue.add_unschedulable(info, unschedulable_plugins=plugins)
        wakeup = self.queue.next_wakeup()
        if wakeup is None:
            return None
        return max(0.0, wakeup - self._clock.monotonic())

    def _fresh(self, pod: Mapping[str, Any]) -> dict[str, Any] | None:
        """The pod as stored now, if it still waits for a node."""
        meta = pod["metadata"]
        try:
            live = self._api.get(_PODS, meta.get("namespace"), meta["name"])
        except NotFound:
            return None
        if live["metadata"].get("uid") != meta.get("uid") or (live.get("spec") or {}).get(
            "nodeName"
        ):
            return None
        if live["metadata"].get("deletionTimestamp"):
            return None
        return live

    def _bind(
        self, pod: Mapping[str, Any], node_name: str, volumes: PodVolumes | None
    ) -> str | None:
        """PreBind (volume decisions) then Bind; an error text makes the scheduler forget."""
        meta = pod["metadata"]
        namespace = meta.get("namespace", "default")
        try:
            if volumes is not None:
                self._bind_volumes(namespace, pod, node_name, volumes)
            self._api.bind(namespace, meta["name"], {"target": {"kind": "Node", "name": node_name}})
        except ApiError as err:
            return err.message
        record(
            self._api,
            pod,
            NORMAL,
            "Scheduled",
            MSG_SCHEDULED.format(ns=namespace, name=meta["name"], node=node_name),
            NAME,
            user_agent=USER_AGENT,
        )
        return None

    def _bind_volumes(
        self, namespace: str, pod: Mapping[str, Any], node_name: str, volumes: PodVolumes
    ) -> None:
        """``BindPodVolumes``: pre-bind chosen volumes to their claims, and mark claims that
        wait for a first consumer with the chosen node so the provisioner can act."""
        for claim_key, pv_name in (volumes.static_bindings or {}).items():
            claim_ns, _, claim_name = claim_key.partition("/")
            claim = self._api.get(_PVCS, claim_ns, claim_name)
            pv = self._api.get(_PVS, None, pv_name)
            if (pv.get("spec") or {}).get("claimRef"):
                continue
            pv.setdefault("spec", {})["claimRef"] = {
                "kind": "PersistentVolumeClaim",
                "namespace": claim_ns,
                "name": claim_name,
                "uid": claim["metadata"]["uid"],
                "apiVersion": "v1",
                "resourceVersion": claim["metadata"]["resourceVersion"],
            }
            self._api.update(_PVS, pv, user_agent=USER_AGENT)
        for claim_key in volumes.provisions or ():
            claim_ns, _, claim_name = str(claim_key).partition("/")
            claim = self._api.get(_PVCS, claim_ns or namespace, claim_name)
            annotations = claim["metadata"].setdefault("annotations", {})
            if annotations.get(SELECTED_NODE_ANNOTATION) != node_name:
                annotations[SELECTED_NODE_ANNOTATION] = node_name
                self._api.update(
                    _PVCS, claim, namespace=claim_ns or namespace, user_agent=USER_AGENT
                )

    def _unschedulable(self, pod: dict[str, Any], message: str) -> None:
        """``handleSchedulingFailure``: the PodScheduled condition and FailedScheduling."""
        record(self._api, pod, WARNING, "FailedScheduling", message, NAME, user_agent=USER_AGENT)
        for _ in range(3):
            try:
                conditions = list((pod.get("status") or {}).get("conditions") or [])
                current = next((c for c in conditions if c.get("type") == "PodScheduled"), None)
                if current and (
                    current.get("status"),
                    current.get("reason"),
                    current.get("message"),
                ) == (
                    "False",
                    "Unschedulable",
                    message,
                ):
                    return
                # CalculatePodConditionObservedGeneration (PodObservedGenerationTracking
                # is GA and locked on): the pod's generation, absent when it has none
                generation = pod["metadata"].get("generation") or 0
                condition = {
                    "type": "PodScheduled",
                    **({"observedGeneration": generation} if generation else {}),
                    "status": "False",
                    "lastProbeTime": None,
                    "lastTransitionTime": (
                        current.get("lastTransitionTime")
                        if current and current.get("status") == "False"
                        else format_time(self._clock.now())
                    ),
                    "reason": "Unschedulable",
                    "message": message,
                }
                others = [c for c in conditions if c.get("type") != "PodScheduled"]
                pod.setdefault("status", {})["conditions"] = [*others, condition]
                self._api.update_status(
                    _PODS, pod, namespace=pod["metadata"].get("namespace"), user_agent=USER_AGENT
                )
                return
            except Conflict:
                fresh = self._fresh(pod)
                if fresh is None:
                    return
                pod = fresh
            except NotFound:
                return

    def _preempt(
        self, pod: dict[str, Any], node_name: str, victims: Sequence[Mapping[str, Any]]
    ) -> None:
        """``prepareCandidate``: victims get DisruptionTarget and go; the preemptor is
        nominated to the node."""
        uid = pod["metadata"].get("uid", "")
        for victim in victims:
            meta = victim["metadata"]
            try:
                live = self._api.get(_PODS, meta.get("namespace"), meta["name"])
                conditions = [
                    c
                    for c in (live.get("status") or {}).get("conditions") or []
                    if c.get("type") != "DisruptionTarget"
                ]
                conditions.append(
                    {
                        "type": "DisruptionTarget",
                        "status": "True",
                        "lastProbeTime": None,
                        "lastTransitionTime": format_time(self._clock.now()),
                        "reason": "PreemptionByScheduler",
                        "message": f"{NAME}: preempting to accommodate a higher priority pod",
                    }
                )
                live.setdefault("status", {})["conditions"] = conditions
                self._api.update_status(
                    _PODS, live, namespace=meta.get("namespace"), user_agent=USER_AGENT
                )
                self._api.delete(_PODS, meta.get("namespace"), meta["name"])
                record(
                    self._api,
                    live,
                    NORMAL,
                    "Preempted",
                    MSG_PREEMPTED.format(uid=uid, node=node_name),
                    NAME,
                    user_agent=USER_AGENT,
                )
            except (NotFound, Conflict):
                continue
        pod.setdefault("status", {})["nominatedNodeName"] = node_name
        try:
            stored = self._api.update_status(
                _PODS, pod, namespace=pod["metadata"].get("namespace"), user_agent=USER_AGENT
            )
            pod.update(stored.object)
        except (NotFound, Conflict):
            return
