"""podFailurePolicy matching (cases from pkg/controller/job/pod_failure_policy_test.go,
TestMatchPodFailurePolicy)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.controllers.job.failure_policy import PolicyMatch, match_pod_failure_policy

from .builders import on_conditions, on_exit_codes


def _failed_pod(
    *codes: tuple[str, int],
    init: tuple[str, int] | None = None,
    conditions: list[Any] | None = None,
) -> dict[str, Any]:
    status: dict[str, Any] = {
        "phase": "Failed",
        "containerStatuses": [
            {"name": n, "state": {"terminated": {"exitCode": c}}} for n, c in codes
        ],
        "conditions": conditions or [],
    }
    if init is not None:
        status["initContainerStatuses"] = [
            {"name": init[0], "state": {"terminated": {"exitCode": init[1]}}}
        ]
    return {"metadata": {"namespace": "default", "name": "mypod"}, "status": status}


def _policy(*rules: dict[str, Any]) -> dict[str, Any]:
    return {"rules": list(rules)}


FAIL_MSG = (
    "Container main-container for pod default/mypod failed with exit code 2 "
    "matching FailJob rule at index 1"
)


@pytest.mark.parametrize(
    ("policy", "pod", "want"),
    [
        pytest.param(
            _policy(on_exit_codes("Ignore", 1, 2, 3)),
            _failed_pod(("main-container", 2)),
            PolicyMatch(None, False, "Ignore"),
            id="an Ignore rule on exit codes excuses the failure",
        ),
        pytest.param(
            _policy(on_exit_codes("Ignore", 1), on_exit_codes("FailJob", 2, 3)),
            _failed_pod(("main-container", 2)),
            PolicyMatch(FAIL_MSG, True, "FailJob"),
            id="FailJob names the container, the pod, the code and the rule index",
        ),
        pytest.param(
            _policy(on_exit_codes("FailJob", 1, 2, 3, operator="NotIn")),
            _failed_pod(("main-container", 42)),
            PolicyMatch(
                "Container main-container for pod default/mypod failed with exit code 42 "
                "matching FailJob rule at index 0",
                True,
                "FailJob",
            ),
            id="NotIn matches a code outside the values",
        ),
        pytest.param(
            _policy(on_exit_codes("FailJob", 0, 1, operator="NotIn")),
            _failed_pod(("main-container", 0)),
            PolicyMatch(),
            id="exit code 0 never matches",
        ),
        pytest.param(
            _policy(on_exit_codes("Count", 5, container="other")),
            _failed_pod(("main-container", 5)),
            PolicyMatch(),
            id="containerName restricts the rule to that container",
        ),
        pytest.param(
            _policy(on_exit_codes("FailJob", 3)),
            _failed_pod(("main-container", 0), init=("init-container", 3)),
            PolicyMatch(
                "Container init-container for pod default/mypod failed with exit code 3 "
                "matching FailJob rule at index 0",
                True,
                "FailJob",
            ),
            id="init containers are checked after regular ones",
        ),
        pytest.param(
            _policy(on_conditions("Ignore", "DisruptionTarget")),
            _failed_pod(
                ("main-container", 137), conditions=[{"type": "DisruptionTarget", "status": "True"}]
            ),
            PolicyMatch(None, False, "Ignore"),
            id="an Ignore rule on DisruptionTarget excuses a disrupted pod",
        ),
        pytest.param(
            _policy(on_conditions("FailJob", "DisruptionTarget")),
            _failed_pod(
                ("main-container", 137), conditions=[{"type": "DisruptionTarget", "status": "True"}]
            ),
            PolicyMatch(
                "Pod default/mypod has condition DisruptionTarget matching FailJob rule at index 0",
                True,
                "FailJob",
            ),
            id="FailJob on a condition names the pod and the condition",
        ),
        pytest.param(
            _policy(on_conditions("Ignore", "DisruptionTarget")),
            _failed_pod(
                ("main-container", 137),
                conditions=[{"type": "DisruptionTarget", "status": "False"}],
            ),
            PolicyMatch(),
            id="a condition with another status does not match",
        ),
        pytest.param(
            _policy(on_exit_codes("Count", 1), on_exit_codes("Ignore", 1)),
            _failed_pod(("main-container", 1)),
            PolicyMatch(None, True, "Count"),
            id="the first matching rule wins",
        ),
        pytest.param(
            _policy(on_exit_codes("FailIndex", 7)),
            _failed_pod(("main-container", 7)),
            PolicyMatch(None, True, "FailIndex"),
            id="FailIndex counts the failure and fails the index",
        ),
        pytest.param(
            None,
            _failed_pod(("main-container", 1)),
            PolicyMatch(),
            id="no policy counts every failure",
        ),
    ],
)
def test_match_pod_failure_policy(
    policy: dict[str, Any] | None, pod: dict[str, Any], want: PolicyMatch
) -> None:
    assert match_pod_failure_policy(policy, pod) == want
