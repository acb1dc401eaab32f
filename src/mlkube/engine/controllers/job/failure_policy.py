"""Matching a failed pod against a Job's ``podFailurePolicy``: the first matching rule wins.

A rule matches on container exit codes (``onExitCodes``: terminated containers with a
non-zero code, regular containers before init containers, optionally one container by
name) or on pod conditions (``onPodConditions``, e.g. ``DisruptionTarget=True``). Its
action decides: ``FailJob`` (with the message kube-controller-manager writes), ``Ignore``
(not counted towards any backoff limit), ``Count``, or ``FailIndex``. Follows
``pkg/controller/job/pod_failure_policy.go`` word for word.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "ACTION_COUNT",
    "ACTION_FAIL_INDEX",
    "ACTION_FAIL_JOB",
    "ACTION_IGNORE",
    "PolicyMatch",
    "match_pod_failure_policy",
]

ACTION_FAIL_JOB: Final = "FailJob"
ACTION_FAIL_INDEX: Final = "FailIndex"
ACTION_IGNORE: Final = "Ignore"
ACTION_COUNT: Final = "Count"

_EXIT_CODE_MSG: Final = (
    "Container {container} for pod {ns}/{pod} failed with exit code {code} "
    "matching {action} rule at index {index}"
)
_CONDITION_MSG: Final = (
    "Pod {ns}/{pod} has condition {type} matching {action} rule at index {index}"
)


@dataclass(frozen=True, slots=True)
class PolicyMatch:
    """``matchPodFailurePolicy``'s three results: the job failure message (FailJob only),
    whether the failure counts towards the backoff limits, and the matched action."""

    message: str | None = None
    count: bool = True
    action: str | None = None


_NO_MATCH: Final = PolicyMatch()


def match_pod_failure_policy(
    policy: Mapping[str, Any] | None, pod: Mapping[str, Any]
) -> PolicyMatch:
    """``matchPodFailurePolicy(policy, failedPod)``."""
    if policy is None:
        return _NO_MATCH
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    ns, name = meta.get("namespace", ""), meta.get("name", "")
    for index, rule in enumerate(policy.get("rules") or []):
        action = rule.get("action")
        if rule.get("onExitCodes") is not None:
            container = _match_on_exit_codes(status, rule["onExitCodes"])
            if container is None:
                continue
            if action == ACTION_FAIL_JOB:
                code = container["state"]["terminated"].get("exitCode", 0)
                msg = _EXIT_CODE_MSG.format(
                    container=container.get("name", ""),
                    ns=ns,
                    pod=name,
                    code=code,
                    action=action,
                    index=index,
                )
                return PolicyMatch(msg, True, ACTION_FAIL_JOB)
        elif rule.get("onPodConditions") is not None:
            condition = _match_on_pod_conditions(status, rule["onPodConditions"])
            if condition is None:
                continue
            if action == ACTION_FAIL_JOB:
                msg = _CONDITION_MSG.format(
                    ns=ns, pod=name, type=condition.get("type"), action=action, index=index
                )
                return PolicyMatch(msg, True, ACTION_FAIL_JOB)
        else:
            continue
        if action == ACTION_IGNORE:
            return PolicyMatch(None, False, ACTION_IGNORE)
        if action == ACTION_FAIL_INDEX:
            return PolicyMatch(None, True, ACTION_FAIL_INDEX)
        if action == ACTION_COUNT:
            return PolicyMatch(None, True, ACTION_COUNT)
        # An unknown action matches but decides nothing: the Go switch falls through to
        # the next rule.
    return _NO_MATCH


def _match_on_exit_codes(status: Mapping[str, Any], requirement: Mapping[str, Any]) -> Any:
    for key in ("containerStatuses", "initContainerStatuses"):
        found = _matching_container(status.get(key) or [], requirement)
        if found is not None:
            return found
    return None


def _matching_container(statuses: list[Any], requirement: Mapping[str, Any]) -> Any:
    wanted = requirement.get("containerName")
    for cs in statuses:
        terminated = (cs.get("state") or {}).get("terminated")
        if terminated is None:
            continue
        if wanted is not None and wanted != cs.get("name"):
            continue
        code = int(terminated.get("exitCode") or 0)
        if code != 0 and _operator_matches(code, requirement):
            return cs
    return None


def _operator_matches(code: int, requirement: Mapping[str, Any]) -> bool:
    values = [int(v) for v in requirement.get("values") or []]
    operator = requirement.get("operator")
    if operator == "In":
        return code in values
    if operator == "NotIn":
        return code not in values
    return False


def _match_on_pod_conditions(status: Mapping[str, Any], patterns: list[Any]) -> Any:
    for condition in status.get("conditions") or []:
        for pattern in patterns:
            if condition.get("type") == pattern.get("type") and condition.get(
                "status"
            ) == pattern.get("status", "True"):
                return condition
    return None
