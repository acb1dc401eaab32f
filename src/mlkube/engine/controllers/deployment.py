"""The Deployment controller: one ReplicaSet per pod template, rolled out by strategy.

Follows ``pkg/controller/deployment/``: ``deployment_controller.go`` (syncDeployment),
``sync.go`` (getNewReplicaSet, scale, cleanupDeployment, calculateStatus),
``rolling.go`` (reconcileNewReplicaSet, reconcileOldReplicaSets, cleanupUnhealthyReplicas,
scaleDownOldReplicaSetsForRollingUpdate), ``recreate.go`` (rolloutRecreate),
``progress.go`` (syncRolloutStatus, requeueStuckDeployment) and ``util/deployment_util.go``
(revisions, annotations, ResolveFenceposts, NewRSNewReplicas, proportions, conditions).

A new ReplicaSet is named ``<deployment>-<pod-template-hash>``; the hash is fnv32a over the
template and the collision count, rendered with ``rand.SafeEncodeString`` as upstream's
``controller.ComputeHash`` renders it. Upstream feeds the hash with spew's ``%#v`` print of
the Go struct; this module feeds it the template's canonical JSON, so the characters differ
from a real cluster's for the same template while the form, stability and collision
handling are the same.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import weakref
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.registry import ResourceType, lookup
from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.replicaset import controller_of, controller_ref
from mlkube.engine.errors import AlreadyExists, ApiError, Conflict, NotFound
from mlkube.engine.store import Event

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = [
    "NAME",
    "DeploymentController",
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
# Reasons (deployment_util.go)
NEW_RS_REASON: Final = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON: Final = "FoundNewReplicaSet"
RS_UPDATED_REASON: Final = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON: Final = "NewReplicaSetAvailable"
TIMED_OUT_REASON: Final = "ProgressDeadlineExceeded"
FAILED_RS_CREATE_REASON: Final = "ReplicaSetCreateError"
MIN_AVAILABLE: Final = "MinimumReplicasAvailable"
MIN_UNAVAILABLE: Final = "MinimumReplicasUnavailable"
PAUSED_REASON: Final = "DeploymentPaused"
RESUMED_REASON: Final = "DeploymentResumed"

_DEPLOYMENTS = lookup("deployments")
_RS = lookup("replicasets")
_PODS = lookup("pods")
_EVENTS = lookup("events")
_ALPHANUMS: Final = "bcdfghjklmnpqrstvwxz2456789"


# -- pure rules ---------------------------------------------------------------------------


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


def _condition(kind: str, status: str, reason: str, message: str, now: str) -> dict[str, Any]:
    return {
        "type": kind,
        "status": status,
        "lastUpdateTime": now,
        "lastTransitionTime": now,
        "reason": reason,
        "message": message,
    }


def _get_condition(status: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((c for c in status.get("conditions") or [] if c.get("type") == kind), None)


def _set_condition(status: dict[str, Any], cond: dict[str, Any]) -> None:
    """``SetDeploymentCondition``: same status and reason is a no-op; same status keeps
    the transition time; the condition moves to the end."""
    current = _get_condition(status, cond["type"])
    if current and current["status"] == cond["status"] and current.get("reason") == cond["reason"]:
        return
    if current and current["status"] == cond["status"]:
        cond["lastTransitionTime"] = current["lastTransitionTime"]
    _remove_condition(status, cond["type"])
    status.setdefault("conditions", []).append(cond)


def _remove_condition(status: dict[str, Any], kind: str) -> None:
    kept = [c for c in status.get("conditions") or [] if c.get("type") != kind]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


def _progress_deadline(d: dict[str, Any]) -> int | None:
    value = d["spec"].get("progressDeadlineSeconds", 600)
    return None if value is None or value == _MAX_INT32 else int(value)


def _complete(d: dict[str, Any], status: dict[str, Any]) -> bool:
    """``DeploymentComplete``."""
    want = _replicas(d)
    return bool(
        status.get("updatedReplicas", 0) == want
        and status.get("replicas", 0) == want
        and status.get("availableReplicas", 0) == want
        and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 0)
    )


def _progressing(d: dict[str, Any], new: dict[str, Any]) -> bool:
    """``DeploymentProgressing``."""
    old = d.get("status") or {}

    def old_replicas(s: dict[str, Any]) -> int:
        return int(s.get("replicas", 0)) - int(s.get("updatedReplicas", 0))

    return (
        new.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
        or old_replicas(new) < old_replicas(old)
        or new.get("readyReplicas", 0) > old.get("readyReplicas", 0)
        or new.get("availableReplicas", 0) > old.get("availableReplicas", 0)
    )


def _timed_out(d: dict[str, Any], status: dict[str, Any], now: datetime) -> bool:
    """``DeploymentTimedOut``."""
    deadline = _progress_deadline(d)
    cond = _get_condition(status, "Progressing")
    if deadline is None or cond is None or cond.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if cond.get("reason") == TIMED_OUT_REASON:
        return True
    return (now - parse_time(cond["lastUpdateTime"])).total_seconds() > deadline


# -- the controller -------------------------------------------------------------------------


class DeploymentController:
    NAME = NAME

    def __init__(self, api: APIServer) -> None:
        self._api = api

    @property
    def watched(self) -> Sequence[ResourceType]:
        return (_DEPLOYMENTS, _RS, _PODS)

    def keys(self, rt: ResourceType, event: Event) -> Iterable[str]:
        obj = event.object
        meta = obj.get("metadata") or {}
        ns = meta.get("namespace", "")
        if rt.plural == "deployments":
            return [f"{ns}/{meta.get('name')}"]
        if rt.plural == "pods":
            # deletePod: a Recreate rollout waits for the last old pod to go
            ref = controller_of(obj)
            if event.type != "DELETED" or ref is None or ref.get("kind") != "ReplicaSet":
                return []
            try:
                obj = self._api.get(_RS, ns, ref["name"])
            except NotFound:
                return []
        ref = controller_of(obj)
        if ref is not None:
            return [f"{ns}/{ref['name']}"] if ref.get("kind") == "Deployment" else []
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return [
            f"{ns}/{d['metadata']['name']}"
            for d in self._api.list(_DEPLOYMENTS, ns).items
            if selector_from_label_selector(d["spec"].get("selector")).matches(labels)
        ]

    def sync(self, key: str) -> float | None:
        ns, _, name = key.partition("/")
        try:
            d = self._api.get(_DEPLOYMENTS, ns, name)
        except NotFound:
            return None
        try:
            return self._sync(d)
        except (Conflict, NotFound, AlreadyExists):
            return 1.0

    def _sync(self, d: dict[str, Any]) -> float | None:
        """``syncDeployment``: 1. claim ReplicaSets, 2. status only while deleting,
        3. paused conditions, 4. scale or roll out by strategy, 5. rollout status."""
        rs_list = self._claim(d)
        if d["metadata"].get("deletionTimestamp"):
            self._sync_status(d, *self._split(d, rs_list))
            return None
        self._check_paused(d)
        if d["spec"].get("paused") or self._is_scaling_event(d, rs_list):
            new_rs, old = self._revision_sync(d, rs_list, create=False)
            self._scale(d, new_rs, old)
            if d["spec"].get("paused"):
                self._cleanup(d, old)
            self._sync_status(d, new_rs, old)
            return None
        if _rolling(d):
            return self._rollout_rolling(d, rs_list)
        return self._rollout_recreate(d, rs_list)

    # 1. ReplicaSets of the deployment
    def _claim(self, d: dict[str, Any]) -> list[dict[str, Any]]:
        """``getReplicaSetsForDeployment`` (ClaimReplicaSets)."""
        ns, uid = d["metadata"]["namespace"], d["metadata"]["uid"]
        selector = selector_from_label_selector(d["spec"].get("selector"))
        can_adopt = not d["metadata"].get("deletionTimestamp")
        out = []
        for rs in self._api.list(_RS, ns).items:
            labels = rs["metadata"].get("labels") or {}
            ref = controller_of(rs)
            if ref is not None:
                if ref.get("uid") != uid:
                    continue
                if selector.matches(labels) or not can_adopt:
                    out.append(rs)
                else:
                    rs["metadata"]["ownerReferences"] = [
                        r for r in rs["metadata"]["ownerReferences"] if r.get("uid") != uid
                    ]
                    self._api.update(_RS, rs, namespace=ns)
                continue
            if (
                can_adopt
                and selector.matches(labels)
                and not rs["metadata"].get("deletionTimestamp")
            ):
                refs = rs["metadata"].setdefault("ownerReferences", [])
                refs.append(controller_ref(d))
                out.append(self._api.update(_RS, rs, namespace=ns).object)
        return out

    def _split(
        self, d: dict[str, Any], rs_list: list[dict[str, Any]]
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """``FindNewReplicaSet`` / ``FindOldReplicaSets``."""
        ordered = sorted(rs_list, key=_created)
        new = next(
            (
                rs
                for rs in ordered
                if _equal_ignore_hash(rs["spec"]["template"], d["spec"]["template"])
            ),
            None,
        )
        return new, [rs for rs in ordered if rs is not new]

    def _revision_sync(
        self, d: dict[str, Any], rs_list: list[dict[str, Any]], *, create: bool
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """``getAllReplicaSetsAndSyncRevision`` / ``getNewReplicaSet``."""
        existing, old = self._split(d, rs_list)
        new_revision = str(max((_revision(rs) for rs in old), default=0) + 1)
        now = format_time(self._api.clock.now())
        if existing is not None:
            rs = copy.deepcopy(existing)
            changed = self._new_rs_annotations(d, rs, new_revision, exists=True)
            if changed or rs["spec"].get("minReadySeconds", 0) != d["spec"].get(
                "minReadySeconds", 0
            ):
                rs["spec"]["minReadySeconds"] = d["spec"].get("minReadySeconds", 0)
                return self._api.update(_RS, rs, namespace=rs["metadata"]["namespace"]).object, old
            status = d.setdefault("status", {})
            needs = self._set_revision(
                d, (rs["metadata"].get("annotations") or {}).get(REVISION, "")
            )
            if _progress_deadline(d) is not None and _get_condition(status, "Progressing") is None:
                msg = f'Found new replica set "{rs["metadata"]["name"]}"'
                _set_condition(
                    status, _condition("Progressing", "True", FOUND_NEW_RS_REASON, msg, now)
                )
                needs = True
            if needs:
                self._write_status(d)
            return rs, old
        if not create:
            return None, old
        return self._create_new_rs(d, old, new_revision, now), old

    def _create_new_rs(
        self, d: dict[str, Any], old: list[dict[str, Any]], revision: str, now: str
    ) -> dict[str, Any]:
        template = copy.deepcopy(d["spec"]["template"])
        status = d.setdefault("status", {})
        pod_hash = compute_hash(d["spec"]["template"], status.get("collisionCount"))
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = pod_hash
        selector = copy.deepcopy(d["spec"]["selector"])
        selector.setdefault("matchLabels", {})[HASH_LABEL] = pod_hash
        name = f"{d['metadata']['name']}-{pod_hash}"
        rs: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": d["metadata"]["namespace"],
                "ownerReferences": [controller_ref(d)],
                "labels": dict(template["metadata"]["labels"]),
            },
            "spec": {
                "replicas": 0,
                "minReadySeconds": d["spec"].get("minReadySeconds", 0),
                "selector": selector,
                "template": template,
            },
        }
        replicas = self._new_rs_new_replicas(d, [*old, rs], rs)
        rs["spec"]["replicas"] = replicas
        self._new_rs_annotations(d, rs, revision, exists=False)
        try:
            created = self._api.create(_RS, rs, field_manager=COMPONENT).object
        except AlreadyExists:
            clash = self._api.get(_RS, d["metadata"]["namespace"], name)
            ref = controller_of(clash)
            if (
                ref
                and ref["uid"] == d["metadata"]["uid"]
                and _equal_ignore_hash(d["spec"]["template"], clash["spec"]["template"])
            ):
                return clash
            status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
            self._write_status(d)
            raise
        except ApiError as err:
            msg = f'Failed to create new replica set "{name}": {err.message}'
            if _progress_deadline(d) is not None:
                _set_condition(
                    status, _condition("Progressing", "False", FAILED_RS_CREATE_REASON, msg, now)
                )
                self._write_status(d)
            self._event(d, "Warning", FAILED_RS_CREATE_REASON, msg)
            raise
        if replicas > 0:
            self._event(
                d,
                "Normal",
                "ScalingReplicaSet",
                f"Scaled up replica set {name} from 0 to {replicas}",
            )
        self._set_revision(d, revision)
        if _progress_deadline(d) is not None:
            msg = f'Created new replica set "{name}"'
            _set_condition(status, _condition("Progressing", "True", NEW_RS_REASON, msg, now))
        self._write_status(d)
        return created

    def _new_rs_annotations(
        self, d: dict[str, Any], rs: dict[str, Any], revision: str, *, exists: bool
    ) -> bool:
        """``SetNewReplicaSetAnnotations``."""
        ann = rs["metadata"].setdefault("annotations", {})
        changed = False
        for k, v in (d["metadata"].get("annotations") or {}).items():
            if k not in _SKIP_COPY and ann.get(k) != v:
                ann[k] = v
                changed = True
        old_rev = ann.get(REVISION)
        try:
            old_int = int(old_rev) if old_rev else 0
        except ValueError:
            return False
        if old_int < int(revision):
            ann[REVISION] = revision
            changed = True
            if old_rev:
                history = [h for h in ann.get(REVISION_HISTORY, "").split(",") if h]
                history.append(old_rev)
                while len(",".join(history)) > _MAX_REV_HISTORY_CHARS and len(history) > 1:
                    history.pop(0)
                ann[REVISION_HISTORY] = ",".join(history)
        if not exists and self._set_replicas_annotations(d, rs):
            changed = True
        return changed

    def _set_replicas_annotations(self, d: dict[str, Any], rs: dict[str, Any]) -> bool:
        ann = rs["metadata"].setdefault("annotations", {})
        desired, maximum = str(_replicas(d)), str(_replicas(d) + max_surge(d))
        if ann.get(DESIRED_REPLICAS) == desired and ann.get(MAX_REPLICAS) == maximum:
            return False
        ann[DESIRED_REPLICAS], ann[MAX_REPLICAS] = desired, maximum
        return True

    def _set_revision(self, d: dict[str, Any], revision: str) -> bool:
        ann = d["metadata"].setdefault("annotations", {})
        if ann.get(REVISION) == revision:
            return False
        ann[REVISION] = revision
        return True

    def _new_rs_new_replicas(
        self, d: dict[str, Any], all_rs: list[dict[str, Any]], new: dict[str, Any]
    ) -> int:
        """``NewRSNewReplicas``."""
        if not _rolling(d):
            return _replicas(d)
        current = sum(_replicas(rs) for rs in all_rs)
        max_total = _replicas(d) + max_surge(d)
        if current >= max_total:
            return _replicas(new)
        scale_up = min(max_total - current, _replicas(d) - _replicas(new))
        return _replicas(new) + scale_up

    # 4. scaling and rollouts
    def _scale_rs(
        self, d: dict[str, Any], rs: dict[str, Any], size: int, operation: str | None = None
    ) -> tuple[bool, dict[str, Any]]:
        """``scaleReplicaSet`` (and ``scaleReplicaSetAndRecordEvent`` when no operation
        is given)."""
        old_size = _replicas(rs)
        if operation is None:
            if old_size == size:
                return False, rs
            operation = "up" if old_size < size else "down"
        updated = copy.deepcopy(rs)
        annotations_changed = self._set_replicas_annotations(d, updated)
        if old_size == size and not annotations_changed:
            return False, rs
        updated["spec"]["replicas"] = size
        stored = self._api.update(_RS, updated, namespace=rs["metadata"]["namespace"]).object
        if old_size != size:
            name = rs["metadata"]["name"]
            message = f"Scaled {operation} replica set {name} from {old_size} to {size}"
            self._event(d, "Normal", "ScalingReplicaSet", message)
            return True, stored
        return False, stored

    def _is_scaling_event(self, d: dict[str, Any], rs_list: list[dict[str, Any]]) -> bool:
        new, old = self._split(d, rs_list)
        for rs in [r for r in [*old, new] if r is not None and _replicas(r) > 0]:
            desired = _annotation_int(rs, DESIRED_REPLICAS)
            if desired is not None and desired != _replicas(d):
                return True
        return False

    def _scale(
        self, d: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
    ) -> None:
        """``scale``: one active set takes everything; otherwise proportional."""
        active = [
            r
            for r in [new, *sorted(old, key=_created, reverse=True)]
            if r is not None and _replicas(r) > 0
        ]
        if len(active) <= 1 and (new is not None or old):
            target = (
                active[0]
                if active
                else (new if new is not None else sorted(old, key=_created, reverse=True)[0])
            )
            if _replicas(target) != _replicas(d):
                self._scale_rs(d, target, _replicas(d))
            return
        if new is not None and self._saturated(d, new):
            for rs in old:
                if _replicas(rs) > 0:
                    self._scale_rs(d, rs, 0)
            return
        if not _rolling(d):
            return
        total = sum(_replicas(r) for r in active)
        allowed = _replicas(d) + max_surge(d) if _replicas(d) > 0 else 0
        to_add = allowed - total
        if to_add > 0:
            active.sort(key=functools.cmp_to_key(_by_size_newer))
            operation = "up"
        elif to_add < 0:
            active.sort(key=functools.cmp_to_key(_by_size_older))
            operation = "down"
        else:
            operation = ""
        added = 0
        sizes: dict[str, int] = {}
        for rs in active:
            proportion = self._proportion(d, rs, to_add, added) if to_add else 0
            sizes[rs["metadata"]["name"]] = _replicas(rs) + proportion
            added += proportion
        for i, rs in enumerate(active):
            name = rs["metadata"]["name"]
            if i == 0 and to_add:
                sizes[name] = max(0, sizes[name] + to_add - added)
            self._scale_rs(d, rs, sizes[name], operation)

    def _proportion(self, d: dict[str, Any], rs: dict[str, Any], to_add: int, added: int) -> int:
        """``GetReplicaSetProportion`` / ``getReplicaSetFraction``."""
        if _replicas(rs) == 0 or to_add == 0 or to_add == added:
            return 0
        if _replicas(d) == 0:
            fraction = -_replicas(rs)
        else:
            annotated = _annotation_int(rs, MAX_REPLICAS)
            if annotated is None:
                annotated = int((d.get("status") or {}).get("replicas") or 0)
            size = _replicas(rs) * (_replicas(d) + max_surge(d)) / annotated if annotated else 0.0
            # integer.RoundToInt32: half away from zero
            fraction = (int(size - 0.5) if size < 0 else int(size + 0.5)) - _replicas(rs)
        allowed = to_add - added
        return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)

    def _saturated(self, d: dict[str, Any], rs: dict[str, Any]) -> bool:
        desired = _annotation_int(rs, DESIRED_REPLICAS)
        want = _replicas(d)
        return (
            desired == want and _replicas(rs) == want and _status(rs, "availableReplicas") == want
        )

    def _rollout_rolling(self, d: dict[str, Any], rs_list: list[dict[str, Any]]) -> float | None:
        """``rolloutRolling``: scale up, else scale down, else clean up; then status."""
        new, old = self._revision_sync(d, rs_list, create=True)
        assert new is not None
        all_rs = [*old, new]
        if self._reconcile_new(d, all_rs, new) or self._reconcile_old(d, all_rs, old, new):
            return self._sync_rollout_status(d, *self._split(d, self._claim(d)))
        if _complete(d, d.get("status") or {}):
            self._cleanup(d, old)
        return self._sync_rollout_status(d, new, old)

    def _reconcile_new(
        self, d: dict[str, Any], all_rs: list[dict[str, Any]], new: dict[str, Any]
    ) -> bool:
        if _replicas(new) == _replicas(d):
            return False
        if _replicas(new) > _replicas(d):
            return self._scale_rs(d, new, _replicas(d))[0]
        return self._scale_rs(d, new, self._new_rs_new_replicas(d, all_rs, new))[0]

    def _reconcile_old(
        self,
        d: dict[str, Any],
        all_rs: list[dict[str, Any]],
        old: list[dict[str, Any]],
        new: dict[str, Any],
    ) -> bool:
        """``reconcileOldReplicaSets``."""
        old = [rs for rs in old if _replicas(rs) > 0]
        if sum(_replicas(rs) for rs in old) == 0:
            return False
        min_available = _replicas(d) - max_unavailable(d)
        new_unavailable = _replicas(new) - _status(new, "availableReplicas")
        max_scaled_down = sum(_replicas(rs) for rs in all_rs) - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        # cleanupUnhealthyReplicas: unavailable old pods go first
        old.sort(key=_created)
        cleaned = 0
        for i, rs in enumerate(old):
            if cleaned >= max_scaled_down:
                break
            if _replicas(rs) == 0 or _replicas(rs) == _status(rs, "availableReplicas"):
                continue
            count = min(max_scaled_down - cleaned, _replicas(rs) - _status(rs, "availableReplicas"))
            _, old[i] = self._scale_rs(d, rs, _replicas(rs) - count)
            cleaned += count
        # scaleDownOldReplicaSetsForRollingUpdate
        available = sum(_status(rs, "availableReplicas") for rs in [*old, new])
        scaled = 0
        if available > min_available:
            budget = available - min_available
            for rs in old:
                if scaled >= budget:
                    break
                if _replicas(rs) == 0:
                    continue
                count = min(_replicas(rs), budget - scaled)
                self._scale_rs(d, rs, _replicas(rs) - count)
                scaled += count
        return cleaned + scaled > 0

    def _rollout_recreate(self, d: dict[str, Any], rs_list: list[dict[str, Any]]) -> float | None:
        """``rolloutRecreate``: every old pod gone before the new set scales up."""
        new, old = self._revision_sync(d, rs_list, create=False)
        scaled_down = False
        for rs in old:
            if _replicas(rs) > 0:
                scaled_down |= self._scale_rs(d, rs, 0)[0]
        if scaled_down or self._old_pods_running(new, old):
            return self._sync_rollout_status(d, *self._split(d, self._claim(d)))
        if new is None:
            new, old = self._revision_sync(d, self._claim(d), create=True)
        assert new is not None
        if _replicas(new) != _replicas(d):
            self._scale_rs(d, new, _replicas(d))
        if _complete(d, d.get("status") or {}):
            self._cleanup(d, old)
        return self._sync_rollout_status(d, *self._split(d, self._claim(d)))

    def _old_pods_running(self, new: dict[str, Any] | None, old: list[dict[str, Any]]) -> bool:
        if sum(_status(rs, "replicas") for rs in old) > 0:
            return True
        old_uids = {rs["metadata"]["uid"] for rs in old}
        if new is not None:
            old_uids.discard(new["metadata"]["uid"])
        for pod in self._api.list(_PODS, old[0]["metadata"]["namespace"]).items if old else []:
            ref = controller_of(pod)
            if (
                ref
                and ref["uid"] in old_uids
                and (pod.get("status") or {}).get("phase")
                not in (
                    "Failed",
                    "Succeeded",
                )
            ):
                return True
        return False

    def _cleanup(self, d: dict[str, Any], old: list[dict[str, Any]]) -> None:
        """``cleanupDeployment``: keep ``revisionHistoryLimit`` old sets, oldest go first."""
        limit = d["spec"].get("revisionHistoryLimit", 10)
        if limit is None:
            return
        alive = [rs for rs in old if not rs["metadata"].get("deletionTimestamp")]
        diff = len(alive) - int(limit)
        if diff <= 0:
            return
        alive.sort(key=lambda rs: (_revision(rs), _created(rs)))
        for rs in alive[:diff]:
            if (
                _status(rs, "replicas") != 0
                or _replicas(rs) != 0
                or rs["metadata"].get("generation", 0) > _status(rs, "observedGeneration")
            ):
                continue
            try:
                self._api.delete(_RS, rs["metadata"]["namespace"], rs["metadata"]["name"])
            except NotFound:
                continue

    def _check_paused(self, d: dict[str, Any]) -> None:
        """``checkPausedConditions``."""
        if _progress_deadline(d) is None:
            return
        status = d.setdefault("status", {})
        cond = _get_condition(status, "Progressing")
        if cond is not None and cond.get("reason") == TIMED_OUT_REASON:
            return
        paused, now = bool(d["spec"].get("paused")), format_time(self._api.clock.now())
        if paused and (cond is None or cond.get("reason") != PAUSED_REASON):
            _set_condition(
                status,
                _condition("Progressing", "Unknown", PAUSED_REASON, "Deployment is paused", now),
            )
        elif not paused and cond is not None and cond.get("reason") == PAUSED_REASON:
            _set_condition(
                status,
                _condition("Progressing", "Unknown", RESUMED_REASON, "Deployment is resumed", now),
            )
        else:
            return
        self._write_status(d)

    # 5. status
    def _calculate_status(
        self, d: dict[str, Any], all_rs: list[dict[str, Any]], new: dict[str, Any] | None
    ) -> dict[str, Any]:
        """``calculateStatus``."""
        available = sum(_status(rs, "availableReplicas") for rs in all_rs)
        total = sum(_replicas(rs) for rs in all_rs)
        old_status = d.get("status") or {}
        status: dict[str, Any] = {
            "observedGeneration": d["metadata"].get("generation", 1),
            "replicas": sum(_status(rs, "replicas") for rs in all_rs),
            "updatedReplicas": _status(new, "replicas"),
            "readyReplicas": sum(_status(rs, "readyReplicas") for rs in all_rs),
            "availableReplicas": available,
            "unavailableReplicas": max(0, total - available),
        }
        # DeploymentStatus counters are omitempty; terminatingReplicas is a pointer, set
        # only when every ReplicaSet reports it
        status = {k: v for k, v in status.items() if v}
        if all("terminatingReplicas" in (rs.get("status") or {}) for rs in all_rs):
            status["terminatingReplicas"] = sum(_status(rs, "terminatingReplicas") for rs in all_rs)
        if "collisionCount" in old_status:
            status["collisionCount"] = old_status["collisionCount"]
        status["conditions"] = copy.deepcopy(old_status.get("conditions") or [])
        now = format_time(self._api.clock.now())
        if available >= _replicas(d) - max_unavailable(d):
            cond = _condition(
                "Available", "True", MIN_AVAILABLE, "Deployment has minimum availability.", now
            )
        else:
            cond = _condition(
                "Available",
                "False",
                MIN_UNAVAILABLE,
                "Deployment does not have minimum availability.",
                now,
            )
        _set_condition(status, cond)
        return status

    def _sync_status(
        self, d: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
    ) -> None:
        """``syncDeploymentStatus``."""
        all_rs = [*old, *([new] if new is not None else [])]
        status = self._calculate_status(d, all_rs, new)
        if status != (d.get("status") or {}):
            d["status"] = status
            self._write_status(d)

    def _sync_rollout_status(
        self, d: dict[str, Any], new: dict[str, Any] | None, old: list[dict[str, Any]]
    ) -> float | None:
        """``syncRolloutStatus`` and ``requeueStuckDeployment``."""
        all_rs = [*old, *([new] if new is not None else [])]
        status = self._calculate_status(d, all_rs, new)
        deadline = _progress_deadline(d)
        now_dt = self._api.clock.now()
        now = format_time(now_dt)
        if deadline is None:
            _remove_condition(status, "Progressing")
        current = _get_condition(d.get("status") or {}, "Progressing")
        complete_rollout = (
            status.get("replicas", 0) == status.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE_REASON
        )
        rs_name = new["metadata"]["name"] if new is not None else None
        subject = f'ReplicaSet "{rs_name}"' if rs_name else f'Deployment "{d["metadata"]["name"]}"'
        if deadline is not None and not complete_rollout:
            if _complete(d, status):
                msg = f"{subject} has successfully progressed."
                _set_condition(
                    status, _condition("Progressing", "True", NEW_RS_AVAILABLE_REASON, msg, now)
                )
            elif _progressing(d, status):
                cond = _condition(
                    "Progressing", "True", RS_UPDATED_REASON, f"{subject} is progressing.", now
                )
                if current is not None:
                    if current["status"] == "True":
                        cond["lastTransitionTime"] = current["lastTransitionTime"]
                    _remove_condition(status, "Progressing")
                _set_condition(status, cond)
            elif _timed_out(d, status, now_dt):
                msg = f"{subject} has timed out progressing."
                _set_condition(
                    status, _condition("Progressing", "False", TIMED_OUT_REASON, msg, now)
                )
        failure = next(
            (
                c
                for rs in all_rs
                for c in (rs.get("status") or {}).get("conditions") or []
                if c.get("type") == "ReplicaFailure"
            ),
            None,
        )
        if failure is not None:
            _set_condition(
                status,
                _condition(
                    "ReplicaFailure",
                    failure["status"],
                    failure.get("reason", ""),
                    failure.get("message", ""),
                    now,
                ),
            )
        else:
            _remove_condition(status, "ReplicaFailure")
        if status != (d.get("status") or {}):
            d["status"] = status
            self._write_status(d)
            return self._requeue_stuck(d, status, now_dt)
        return self._requeue_stuck(d, status, now_dt)

    def _requeue_stuck(
        self, d: dict[str, Any], status: dict[str, Any], now: datetime
    ) -> float | None:
        """``requeueStuckDeployment``: wake up when the progress deadline passes."""
        deadline = _progress_deadline(d)
        cond = _get_condition(status, "Progressing")
        if (
            deadline is None
            or cond is None
            or cond.get("reason") in (NEW_RS_AVAILABLE_REASON, TIMED_OUT_REASON)
        ):
            return None
        if _complete(d, status):
            return None
        after = (parse_time(cond["lastUpdateTime"]) - now).total_seconds() + deadline
        return 1.0 if after < 1 else after + 1

    def _write_status(self, d: dict[str, Any]) -> None:
        stored = self._api.update_status(
            _DEPLOYMENTS, d, namespace=d["metadata"]["namespace"]
        ).object
        d["metadata"]["resourceVersion"] = stored["metadata"]["resourceVersion"]

    def _event(self, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
        _record_event(self._api, obj, kind, reason, message, COMPONENT)


class _Recorder:
    """Per API server: the Event last written for each aggregation key, and the last
    name suffix used per object (events at one instant get consecutive suffixes)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], str] = {}
        self.last: dict[tuple[str, str], int] = {}


_RECORDERS: weakref.WeakKeyDictionary[APIServer, _Recorder] = weakref.WeakKeyDictionary()


def _record_event(
    api: APIServer, obj: dict[str, Any], kind: str, reason: str, message: str, component: str
) -> None:
    """Record a core/v1 Event as client-go's recorder does: named ``<object>.<hex nanos>``
    in the object's namespace; a repeat of the same event counts up the one written
    before (``EventCorrelator``'s aggregation). Best effort, as upstream: failures are
    dropped."""
    meta = obj["metadata"]
    ns, name = meta.get("namespace") or "default", str(meta.get("name"))
    rec = _RECORDERS.setdefault(api, _Recorder())
    key = (ns, str(obj.get("kind")), name, str(meta.get("uid")), kind, reason, message, component)
    now = api.clock.now()
    stamp = format_time(now)
    if key in rec.seen:
        try:
            existing = api.get(_EVENTS, ns, rec.seen[key])
            existing["count"] = int(existing.get("count") or 1) + 1
            existing["lastTimestamp"] = stamp
            api.update(_EVENTS, existing, namespace=ns)
            return
        except ApiError:
            del rec.seen[key]  # gone: write a new one
    involved: dict[str, Any] = {
        "kind": obj.get("kind"),
        "namespace": meta.get("namespace"),
        "name": name,
        "uid": meta.get("uid"),
        "apiVersion": obj.get("apiVersion"),
        "resourceVersion": meta.get("resourceVersion"),
    }
    if not meta.get("namespace"):
        involved.pop("namespace")
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"namespace": ns},
        "involvedObject": involved,
        "reason": reason,
        "message": message,
        "source": {"component": component},
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "count": 1,
        "type": kind,
        "eventTime": None,
        "reportingComponent": component,
        "reportingInstance": "",
    }
    nanos = max(int(now.timestamp() * 1_000_000_000), rec.last.get((ns, name), -1) + 1)
    for suffix in range(nanos, nanos + 16):
        body["metadata"]["name"] = f"{name}.{suffix:x}"
        try:
            api.create(_EVENTS, body, namespace=ns, field_manager=component)
        except AlreadyExists:
            continue
        except ApiError:
            return
        rec.last[(ns, name)] = suffix
        rec.seen[key] = body["metadata"]["name"]
        return
