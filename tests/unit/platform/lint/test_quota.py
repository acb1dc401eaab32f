"""ML005: containers without requests in a namespace whose ResourceQuota limits cpu/memory."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.lint import Cluster

from .builders import deployment, job, limitrange, pod, quota
from .helpers import hits

# The refusals are PodConstraintsFunc's (pkg/quota/v1/evaluator/core/pods_test.go,
# TestPodConstraintsFunc): "must specify memory for: bar,foo", "must specify cpu for:
# bar,foo; memory for: bar,foo", init containers included.


@pytest.mark.parametrize(
    ("obj", "hard", "refusal"),
    [
        pytest.param(
            pod().resources(None, None).build(),
            {"cpu": "10", "memory": "10Gi"},
            "failed quota: compute: must specify cpu for: trainer; memory for: trainer",
            id="a container with no resources under a cpu and memory quota",
        ),
        pytest.param(
            job().resources({"cpu": "1m"}, {"cpu": "2m"}).build(),
            {"memory": "10Gi"},
            "failed quota: compute: must specify memory for: trainer",
            id="container resource missing: a Job's pods lack memory",
        ),
        pytest.param(
            pod()
            .init_container("fetch", resources={"requests": {"cpu": "1m"}, "limits": {"cpu": "2m"}})
            .build(),
            {"requests.memory": "10Gi"},
            "failed quota: compute: must specify requests.memory for: fetch",
            id="init container resource missing",
        ),
        pytest.param(
            deployment().resources({"cpu": "1", "memory": "1Gi"}, None).build(),
            {"limits.cpu": "10"},
            "failed quota: compute: must specify limits.cpu for: trainer",
            id="a limits.cpu quota needs limits, not only requests",
        ),
    ],
)
def test_quota_refusal_is_quoted(obj: dict[str, Any], hard: dict[str, str], refusal: str) -> None:
    (finding,) = hits("ML005", [obj, quota(**hard)])
    assert finding.severity == "error"
    assert f'"{refusal}"' in finding.message


@pytest.mark.parametrize(
    ("objects", "cluster"),
    [
        pytest.param(
            [pod().resources(None, None).build()], None, id="without a quota nothing is required"
        ),
        pytest.param(
            [pod().resources(None, None).build(), quota(namespace="other")],
            None,
            id="a quota in another namespace does not apply",
        ),
        pytest.param(
            [pod().resources(None, None).build(), quota(pods="10")],
            None,
            id="a quota on pod count only does not require requests",
        ),
        pytest.param(
            [pod().resources(None, {"cpu": "1", "memory": "1Gi"}).build(), quota()],
            None,
            id="limits alone satisfy requests: requests default to limits",
        ),
        pytest.param(
            [
                pod().resources(None, None).build(),
                quota(),
                limitrange(default={"cpu": "1", "memory": "1Gi"}),
            ],
            None,
            id="LimitRange defaults fill the requests before quota admission",
        ),
        pytest.param(
            [pod().resources(None, None).build()],
            Cluster(
                quotas=[quota()],
                limitranges=[limitrange(defaultRequest={"cpu": "1", "memory": "1Gi"})],
            ),
            id="a live LimitRange with default requests counts as well",
        ),
    ],
)
def test_quota_not_flagged(objects: list[dict[str, Any]], cluster: Cluster | None) -> None:
    assert hits("ML005", objects, cluster) == []


def test_live_quota_flags_manifests() -> None:
    (finding,) = hits("ML005", [pod().resources(None, None).build()], Cluster(quotas=[quota()]))
    assert finding.path == "spec.containers[0].resources"


def test_a_limitrange_max_defaults_the_limit_and_so_the_request() -> None:
    """SetDefaults_LimitRangeItem: max -> default -> defaultRequest."""
    objects = [
        pod().resources(None, None).build(),
        quota(),
        limitrange(max={"cpu": "2", "memory": "4Gi"}),
    ]
    assert hits("ML005", objects) == []
