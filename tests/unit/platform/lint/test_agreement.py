"""Lint's predictions agree with what the embedded cluster then does (issue 10's acceptance):
the refusal a rule quotes is the one the API server gives when the object is submitted, and
the FitError a rule quotes is the scheduler's, word for word."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.clock import FakeClock
from mlkube.engine.cluster import Cluster as EmbeddedCluster
from mlkube.engine.errors import ApiError, Forbidden, Invalid
from mlkube.engine.scheduler import Scheduler, Snapshot
from mlkube.platform.lint import lint, read_cluster
from mlkube.platform.lint.fit import fit_error

from .builders import gpu_node, job, node, pod, priority_class, quota


@pytest.fixture
def cluster() -> EmbeddedCluster:
    c = EmbeddedCluster(clock=FakeClock(), seed=1)
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}})
    return c


def _quoted(message: str) -> str:
    """The Kubernetes words a finding quotes: the first "..." span after 'Kubernetes'."""
    start = message.index('"') + 1
    end = message.index('"; ', start)
    return message[start:end]


def _refusal(cluster: EmbeddedCluster, obj: dict[str, Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        cluster.create(obj)
    return caught.value


@pytest.mark.parametrize(
    ("obj", "rule", "error"),
    [
        pytest.param(
            job().pod(restartPolicy=None).build(),
            "ML010",
            Invalid,
            id="a Job without restartPolicy is refused with the words ML010 quotes",
        ),
        pytest.param(
            pod().gpus(1, limit=2).build(),
            "ML004",
            Invalid,
            id="a GPU request below its limit is refused with the words ML004 quotes",
        ),
        pytest.param(
            pod().gpus(2, limit=None).build(),
            "ML004",
            Invalid,
            id="a GPU request without a limit is refused with the words ML004 quotes",
        ),
    ],
)
def test_validation_refusals_match(
    cluster: EmbeddedCluster, obj: dict[str, Any], rule: str, error: type[ApiError]
) -> None:
    (finding,) = [f for f in lint([obj]) if f.rule == rule]
    refusal = _refusal(cluster, obj)
    assert isinstance(refusal, error)
    assert _quoted(finding.message) in refusal.message


def test_the_quota_refusal_matches(cluster: EmbeddedCluster) -> None:
    cluster.create(quota(**{"requests.cpu": "8", "requests.memory": "8Gi"}))
    cluster.run_until_idle()
    bare = pod("bare").resources(None, None).build()
    state = read_cluster(cluster, "ml")
    (finding,) = [f for f in lint([bare], state.cluster, namespace="ml") if f.rule == "ML005"]
    refusal = _refusal(cluster, bare)
    assert isinstance(refusal, Forbidden)
    assert refusal.message == f'pods "bare" is forbidden: {_quoted_after_with(finding.message)}'


def _quoted_after_with(message: str) -> str:
    start = message.index('with "') + len('with "')
    return message[start : message.index('"; ', start)]


def test_the_priority_refusal_matches(cluster: EmbeddedCluster) -> None:
    cluster.create(priority_class("training"))
    typo = pod("typo").priority_class("traning").build()
    state = read_cluster(cluster, "ml")
    (finding,) = [f for f in lint([typo], state.cluster, namespace="ml") if f.rule == "ML008"]
    refusal = _refusal(cluster, typo)
    assert isinstance(refusal, Forbidden)
    assert refusal.message.endswith(_quoted(finding.message))


def test_objects_lint_accepts_are_accepted(cluster: EmbeddedCluster) -> None:
    clean = [job().gpus(1).toleration().build(), pod().gpus(1).build()]
    assert [f for f in lint(clean) if f.severity == "error"] == []
    for obj in clean:
        cluster.create(obj)


NODES = [gpu_node("a100-0").build(), gpu_node("a100-1").build(), node("cpu-0").build()]


def _scheduled(spec: Any) -> dict[str, Any]:
    obj = spec.build()
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml", "uid": "uid-p"},
        "spec": obj["spec"],
    }


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(pod().gpus(16).toleration(), id="16 GPUs: Insufficient on every node"),
        pytest.param(pod().gpus(1), id="no toleration: taints on GPU nodes, no GPU elsewhere"),
        pytest.param(
            pod().node_selector(**{"mlkube.io/pool": "h100"}), id="a selector for a missing pool"
        ),
        pytest.param(
            pod().resources({"cpu": "64", "memory": "1Gi"}, None).toleration(),
            id="64 cpus on 32-cpu nodes",
        ),
    ],
)
def test_the_fit_error_is_the_schedulers(spec: Any) -> None:
    target = _scheduled(spec)
    predicted = fit_error(target, NODES)
    result = Scheduler(Snapshot(NODES, [])).schedule_one(target)
    assert result.node_name is None
    assert result.fit_error is not None
    assert predicted is not None
    assert result.fit_error.message().startswith(predicted)


def test_a_pod_lint_says_fits_is_scheduled() -> None:
    target = _scheduled(pod().gpus(8).toleration())
    assert fit_error(target, NODES) is None
    assert Scheduler(Snapshot(NODES, [])).schedule_one(target).node_name in {"a100-0", "a100-1"}
