"""The disruption controller: a PodDisruptionBudget's status says how many pods may go.

Follows ``pkg/controller/disruption/disruption.go`` (trySync, getExpectedPodCount,
getExpectedScale with the ReplicaSet, Deployment and StatefulSet finders,
buildDisruptedPodMap, countHealthyPods, updatePdbStatus, failSafe) and
``pkg/apis/policy/helper`` (UpdateDisruptionAllowedCondition). ``disruptedPods`` entries
recorded by the eviction API expire after two minutes (``DeletionTimeout``), when the
budget is looked at again.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.events import record
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["NAME", "DisruptionController", "ExpectedScaleError"]

NAME = "disruption"
COMPONENT: Final = "controllermanager"
DISRUPTION_ALLOWED: Final = "DisruptionAllowed"
SUFFICIENT_PODS: Final = "SufficientPods"
INSUFFICIENT_PODS: Final = "InsufficientPods"
SYNC_FAILED: Final = "SyncFailed"
#: ``DeletionTimeout``: how long an eviction's entry in disruptedPods is honoured.
DELETION_TIMEOUT: Final = timedelta(minutes=2)
_AFTER: Final = 0.001
MSG_NO_PODS: Final = "No matching pods found"
MSG_UNMANAGED: Final = (
    "Pods selected by this PodDisruptionBudget (selector: {selector}) were found to be "
    "unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may "
    'result in undefined behavior. To account for these pods please set ".spec.minAvailable" '
    "field of the PDB to an integer value."
)
_PDBS = lookup("poddisruptionbudgets")
_PODS = lookup("pods")
_RS = lookup("replicasets")
_DEPLOYMENTS = lookup("deployments")
_STATEFULSETS = lookup("statefulsets")
_EVENTS = lookup("events")


class ExpectedScaleError(Exception):
    """``getExpectedScale`` could not find a controller's scale."""


def _scaled(value: Any, total: int) -> int:
    """``GetScaledValueFromIntOrPercent`` rounding up."""
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        return math.ceil(int(text[:-1]) * total / 100)
    return int(text)


def _ready(pod: dict[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def _controller_of(obj: dict[str, Any]) -> dict[str, Any] | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


class DisruptionController:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_PDBS, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        meta = event.view.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "poddisruptionbudgets":
            return [f"{ns}/{meta.get('name')}"]
        labels = meta.get("labels") or {}
        return [
            f"{ns}/{p['metadata']['name']}"
            for p in self._api.list(_PDBS, ns).items
            if (p.get("spec") or {}).get("selector") is not None
            and selector_from_label_selector(p["spec"]["selector"]).matches(labels)
        ]

    def sync(self, key: str) -> float | None:
        ns, _, name = key.partition("/")
        try:
            pdb = self._api.get(_PDBS, ns, name)
        except NotFound:
            return None
        try:
            return self._try_sync(pdb)
        except ExpectedScaleError as err:
            self._event(
                pdb,
                "Warning",
                "CalculateExpectedPodCountFailed",
                f"Failed to calculate the number of expected pods: {err}",
            )
            self._fail_safe(pdb, str(err))
            return None
        except (Conflict, NotFound):
            return 1.0

    def _try_sync(self, pdb: dict[str, Any]) -> float | None:
        """``trySync``: 1. pods, 2. expected and desired counts, 3. disrupted pods,
        4. healthy pods, 5. status."""
        ns = pdb["metadata"]["namespace"]
        spec = pdb.get("spec") or {}
        # 1. getPodsForPdb: a nil selector selects nothing, an empty one everything
        selector = spec.get("selector")
        pods = (
            [
                p
                for p in self._api.list(_PODS, ns).items
                if selector_from_label_selector(selector).matches(p["metadata"].get("labels") or {})
            ]
            if selector is not None
            else []
        )
        if not pods:
            self._event(pdb, "Normal", "NoPods", MSG_NO_PODS)
        # 2. getExpectedPodCount
        expected, desired, unmanaged = self._expected_pod_count(pdb, pods)
        if unmanaged:
            self._event(
                pdb,
                "Warning",
                "UnmanagedPods",
                MSG_UNMANAGED.format(selector=_selector_text(selector)),
            )
        now = self._api.clock.now()
        # 3. buildDisruptedPodMap
        disrupted, recheck = self._disrupted(pdb, pods, now)
        # 4. countHealthyPods
        healthy = sum(
            1
            for p in pods
            if not p["metadata"].get("deletionTimestamp")
            and p["metadata"]["name"] not in disrupted
            and _ready(p)
        )
        # 5. updatePdbStatus
        self._update_status(pdb, healthy, desired, expected, disrupted)
        if recheck is None:
            return None
        # an entry expires once DeletionTimeout has strictly passed: look just after it
        return max((recheck - now).total_seconds(), 0.0) + _AFTER

    def _expected_pod_count(
        self, pdb: dict[str, Any], pods: list[dict[str, Any]]
    ) -> tuple[int, int, list[str]]:
        spec = pdb.get("spec") or {}
        if spec.get("maxUnavailable") is not None:
            expected, unmanaged = self._expected_scale(pdb, pods)
            desired = max(0, expected - _scaled(spec["maxUnavailable"], expected))
            return expected, desired, unmanaged
        min_available = spec.get("minAvailable")
        if isinstance(min_available, int):
            return len(pods), min_available, []
        if min_available is not None:
            expected, unmanaged = self._expected_scale(pdb, pods)
            return expected, _scaled(min_available, expected), unmanaged
        return 0, 0, []

    def _expected_scale(
        self, pdb: dict[str, Any], pods: list[dict[str, Any]]
    ) -> tuple[int, list[str]]:
        """``getExpectedScale``: the sum of the scales of the pods' controllers."""
        ns = pdb["metadata"]["namespace"]
        scales: dict[str, int] = {}
        unmanaged: list[str] = []
        for pod in pods:
            ref = _controller_of(pod)
            if ref is None:
                unmanaged.append(pod["metadata"]["name"])
                continue
            if ref["uid"] in scales:
                continue
            found = self._scale_of(ns, ref)
            if found is None:
                raise ExpectedScaleError(
                    f'found no controllers for pod "{pod["metadata"]["name"]}"'
                )
            uid, scale = found
            scales[uid] = scale
        return sum(scales.values()), unmanaged

    def _scale_of(self, ns: str, ref: dict[str, Any]) -> tuple[str, int] | None:
        """The finders: a ReplicaSet owned by a Deployment counts the Deployment."""
        kind = ref.get("kind")
        rt = {"ReplicaSet": _RS, "StatefulSet": _STATEFULSETS, "Deployment": _DEPLOYMENTS}.get(
            str(kind)
        )
        if rt is None:
            return None
        try:
            owner = self._api.get(rt, ns, ref.get("name", ""))
        except NotFound:
            return None
        if owner["metadata"].get("uid") != ref.get("uid"):
            return None
        if kind == "ReplicaSet":
            parent = _controller_of(owner)
            if parent is not None and parent.get("kind") == "Deployment":
                return self._scale_of(ns, parent)
        return owner["metadata"]["uid"], int((owner.get("spec") or {}).get("replicas", 1))

    def _disrupted(
        self, pdb: dict[str, Any], pods: list[dict[str, Any]], now: datetime
    ) -> tuple[dict[str, str], datetime | None]:
        """``buildDisruptedPodMap``: drop entries of pods gone, being deleted, or expired."""
        recorded = (pdb.get("status") or {}).get("disruptedPods") or {}
        kept: dict[str, str] = {}
        recheck: datetime | None = None
        for pod in pods:
            name = pod["metadata"]["name"]
            if pod["metadata"].get("deletionTimestamp") or name not in recorded:
                continue
            expires = parse_time(recorded[name]) + DELETION_TIMEOUT
            if expires < now:
                # upstream prints the PDB's namespace twice (pdb.Namespace, pdb.Namespace)
                ns = pdb["metadata"]["namespace"]
                message = f"Pod was expected by PDB {ns}/{ns} to be deleted but it wasn't"
                self._event(pod, "Warning", "NotDeleted", message)
                continue
            kept[name] = recorded[name]
            if recheck is None or expires < recheck:
                recheck = expires
        return kept, recheck

    def _update_status(
        self,
        pdb: dict[str, Any],
        healthy: int,
        desired: int,
        expected: int,
        disrupted: dict[str, str],
    ) -> None:
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        generation = pdb["metadata"].get("generation", 1)
        old = pdb.get("status") or {}
        status: dict[str, Any] = {
            "observedGeneration": generation,
            "disruptionsAllowed": allowed,
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "conditions": copy.deepcopy(old.get("conditions") or []),
        }
        if disrupted:
            status["disruptedPods"] = disrupted
        if allowed > 0:
            self._set_condition(status, "True", SUFFICIENT_PODS, "", generation)
        else:
            self._set_condition(status, "False", INSUFFICIENT_PODS, "", generation)
        self._write(pdb, status)

    def _fail_safe(self, pdb: dict[str, Any], message: str) -> None:
        """``failSafe``: no disruptions while the status cannot be computed; the rest of
        the status is left as it was."""
        status = copy.deepcopy(pdb.get("status") or {})
        status["disruptionsAllowed"] = 0
        generation = int(status.get("observedGeneration") or 0)
        self._set_condition(status, "False", SYNC_FAILED, message, generation)
        try:
            self._write(pdb, status)
        except (Conflict, NotFound):
            return

    def _set_condition(
        self, status: dict[str, Any], value: str, reason: str, message: str, generation: int
    ) -> None:
        """``meta.SetStatusCondition``: the transition time moves only with the status."""
        conditions: list[dict[str, Any]] = status.setdefault("conditions", [])
        now = format_time(self._api.clock.now())
        for cond in conditions:
            if cond.get("type") == DISRUPTION_ALLOWED:
                if cond.get("status") != value:
                    cond["lastTransitionTime"] = now
                cond.update(
                    status=value, reason=reason, message=message, observedGeneration=generation
                )
                return
        conditions.append(
            {
                "type": DISRUPTION_ALLOWED,
                "status": value,
                "observedGeneration": generation,
                "lastTransitionTime": now,
                "reason": reason,
                "message": message,
            }
        )

    def _write(self, pdb: dict[str, Any], status: dict[str, Any]) -> None:
        if status == (pdb.get("status") or {}):
            return
        self._api.update_status(
            _PDBS,
            {**pdb, "status": status},
            namespace=pdb["metadata"]["namespace"],
            user_agent=USER_AGENT,
        )

    def _event(self, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
        _record_event(self._api, obj, kind, reason, message, COMPONENT)


def _selector_text(selector: dict[str, Any] | None) -> str:
    """``%v`` of a ``*metav1.LabelSelector``: its generated ``String()`` method."""
    if selector is None:
        return "nil"
    labels = "".join(f"{k}: {v}," for k, v in sorted((selector.get("matchLabels") or {}).items()))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key')},Operator:{e.get('operator')},"
        f"Values:[{' '.join(e.get('values') or [])}],}},"
        for e in selector.get("matchExpressions") or []
    )
    return (
        f"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},"
        f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"
    )


def _record_event(
    api: APIServer, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
) -> None:
    """Record a core/v1 Event through the shared recorder (count aggregation and
    ``<object>.<hex nanos>`` names as client-go's)."""
    record(api, obj, kind, reason, message, component)
