"""The Deployment controller's two rollout strategies: RollingUpdate and Recreate.

It exists so that each strategy reads as the one function upstream writes for it.
Follows ``pkg/controller/deployment/rolling.go`` (``rolloutRolling``,
``reconcileNewReplicaSet``, ``reconcileOldReplicaSets``, ``cleanupUnhealthyReplicas``,
``scaleDownOldReplicaSetsForRollingUpdate``) and ``recreate.go`` (``rolloutRecreate``,
``oldPodsRunning``).
"""

from __future__ import annotations

from typing import Any

from mlkube.engine.controllers.deployment.conditions import _complete
from mlkube.engine.controllers.deployment.progress import DeploymentProgress
from mlkube.engine.controllers.deployment.util import (
    _PODS,
    _created,
    _replicas,
    _status,
    max_unavailable,
)
from mlkube.engine.controllers.replicaset import controller_of

__all__ = ["DeploymentRollout"]


class DeploymentRollout(DeploymentProgress):
    """The rollouts of a Deployment controller (``rolling.go``, ``recreate.go``)."""

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
