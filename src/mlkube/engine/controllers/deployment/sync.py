"""The Deployment controller's ReplicaSet sync: claiming ReplicaSets, finding or creating
the new one with its revision, scaling, and cleaning up old ones.

It exists so that the methods upstream keeps in ``sync.go`` sit together, as the base
class of :class:`~mlkube.engine.controllers.deployment.controller.DeploymentController`.
Follows ``pkg/controller/deployment/sync.go`` (``getAllReplicaSetsAndSyncRevision``,
``getNewReplicaSet``, ``scale``, ``scaleReplicaSet``, ``isScalingEvent``,
``cleanupDeployment``), ``deployment_controller.go`` (``getReplicaSetsForDeployment``)
and ``util/deployment_util.go`` (``FindNewReplicaSet``, ``FindOldReplicaSets``,
``SetNewReplicaSetAnnotations``, ``NewRSNewReplicas``, ``GetReplicaSetProportion``,
``IsSaturated``).
"""

from __future__ import annotations

import copy
import functools
from typing import TYPE_CHECKING, Any

from mlkube.api.labels import selector_from_label_selector
from mlkube.api.timestamps import format_time
from mlkube.engine.controllers.deployment.conditions import (
    FAILED_RS_CREATE_REASON,
    FOUND_NEW_RS_REASON,
    NEW_RS_REASON,
    _condition,
    _get_condition,
    _progress_deadline,
    _set_condition,
)
from mlkube.engine.controllers.deployment.recorder import _record_event
from mlkube.engine.controllers.deployment.util import (
    _DEPLOYMENTS,
    _MAX_REV_HISTORY_CHARS,
    _RS,
    _SKIP_COPY,
    COMPONENT,
    DESIRED_REPLICAS,
    HASH_LABEL,
    MAX_REPLICAS,
    REVISION,
    REVISION_HISTORY,
    _annotation_int,
    _by_size_newer,
    _by_size_older,
    _created,
    _equal_ignore_hash,
    _replicas,
    _revision,
    _rolling,
    _status,
    compute_hash,
    max_surge,
)
from mlkube.engine.controllers.replicaset import controller_of, controller_ref
from mlkube.engine.controllers.useragent import USER_AGENT
from mlkube.engine.errors import AlreadyExists, ApiError, NotFound

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["DeploymentSync"]


class DeploymentSync:
    """The ReplicaSet sync of a Deployment controller (``sync.go``)."""

    _api: APIServer

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
                    self._api.update(_RS, rs, namespace=ns, user_agent=USER_AGENT)
                continue
            if (
                can_adopt
                and selector.matches(labels)
                and not rs["metadata"].get("deletionTimestamp")
            ):
                refs = rs["metadata"].setdefault("ownerReferences", [])
                refs.append(controller_ref(d))
                out.append(self._api.update(_RS, rs, namespace=ns, user_agent=USER_AGENT).object)
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
                stored = self._api.update(
                    _RS, rs, namespace=rs["metadata"]["namespace"], user_agent=USER_AGENT
                )
                return stored.object, old
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
            created = self._api.create(_RS, rs, user_agent=USER_AGENT).object
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
        stored = self._api.update(
            _RS, updated, namespace=rs["metadata"]["namespace"], user_agent=USER_AGENT
        ).object
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

    def _write_status(self, d: dict[str, Any]) -> None:
        stored = self._api.update_status(
            _DEPLOYMENTS, d, namespace=d["metadata"]["namespace"], user_agent=USER_AGENT
        ).object
        d["metadata"]["resourceVersion"] = stored["metadata"]["resourceVersion"]

    def _event(self, obj: dict[str, Any], kind: str, reason: str, message: str) -> None:
        _record_event(self._api, obj, kind, reason, message, COMPONENT)
