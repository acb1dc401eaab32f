"""The Deployment controller's status: the paused conditions, ``calculateStatus`` and
the rollout's progress against its deadline.

It exists so that what a Deployment reports about itself is apart from how it scales.
Follows ``pkg/controller/deployment/progress.go`` (``syncRolloutStatus``,
``requeueStuckDeployment``) and ``sync.go`` (``checkPausedConditions``,
``syncDeploymentStatus``, ``calculateStatus``).
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from mlkube.api.timestamps import format_time, parse_time
from mlkube.engine.controllers.deployment.conditions import (
    MIN_AVAILABLE,
    MIN_UNAVAILABLE,
    NEW_RS_AVAILABLE_REASON,
    PAUSED_REASON,
    RESUMED_REASON,
    RS_UPDATED_REASON,
    TIMED_OUT_REASON,
    _complete,
    _condition,
    _get_condition,
    _progress_deadline,
    _progressing,
    _remove_condition,
    _set_condition,
    _timed_out,
)
from mlkube.engine.controllers.deployment.sync import DeploymentSync
from mlkube.engine.controllers.deployment.util import _replicas, _status, max_unavailable

__all__ = ["DeploymentProgress"]


class DeploymentProgress(DeploymentSync):
    """The status and progress of a Deployment controller (``progress.go``)."""

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
