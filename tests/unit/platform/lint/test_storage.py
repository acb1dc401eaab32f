"""ML006: ReadWriteOnce claims shared by workloads that run several pods at once."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.lint import Cluster

from .builders import claim, deployment, job, pod, statefulset, volume
from .helpers import hits


@pytest.mark.parametrize(
    ("objects", "severity"),
    [
        pytest.param(
            [job().job(parallelism=4).claim("data").build(), claim("data", "ReadWriteOnce")],
            "warning",
            id="a Job with parallelism 4 sharing a ReadWriteOnce claim",
        ),
        pytest.param(
            [deployment().spec(replicas=2).claim("data").build(), claim("data", "ReadWriteOnce")],
            "warning",
            id="a Deployment with 2 replicas sharing a ReadWriteOnce claim",
        ),
        pytest.param(
            [statefulset().spec(replicas=3).claim("data").build(), claim("data", "ReadWriteOnce")],
            "warning",
            id="a StatefulSet's template volume (not a claim template) is shared too",
        ),
        pytest.param(
            [job().job(parallelism=2).claim("ckpt").build(), claim("ckpt", "ReadWriteOncePod")],
            "error",
            id="a ReadWriteOncePod claim shared by two pods is an error",
        ),
        pytest.param(
            [
                job().job(parallelism=2).claim("data").build(),
                claim("data", "ReadWriteMany", volume="pv-1"),
                volume("pv-1", "ReadWriteOnce"),
            ],
            "warning",
            id="the bound PersistentVolume's access modes decide",
        ),
    ],
)
def test_shared_rwo_claims_are_flagged(objects: list[dict[str, Any]], severity: str) -> None:
    (finding,) = hits("ML006", objects)
    assert finding.severity == severity
    assert finding.path.endswith("volumes[0].persistentVolumeClaim.claimName")


def test_the_rwop_message_is_the_schedulers() -> None:
    objects = [job().job(parallelism=2).claim("ckpt").build(), claim("ckpt", "ReadWriteOncePod")]
    (finding,) = hits("ML006", objects)
    assert (
        '"node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode '
        'already in-use by another pod"' in finding.message
    )


@pytest.mark.parametrize(
    ("objects", "cluster"),
    [
        pytest.param(
            [job().job(parallelism=1).claim("data").build(), claim("data", "ReadWriteOnce")],
            None,
            id="a single-pod Job may use a ReadWriteOnce claim",
        ),
        pytest.param(
            [
                job().job(parallelism=4, completions=1).claim("data").build(),
                claim("data", "ReadWriteOnce"),
            ],
            None,
            id="parallelism above completions still runs one pod",
        ),
        pytest.param(
            [job().job(parallelism=4).claim("data").build(), claim("data", "ReadWriteMany")],
            None,
            id="a ReadWriteMany claim may be shared",
        ),
        pytest.param(
            [pod().claim("data").build(), claim("data", "ReadWriteOnce")],
            None,
            id="a bare Pod is one pod",
        ),
        pytest.param(
            [job().job(parallelism=4).claim("data").build()],
            None,
            id="an unknown claim is not guessed at",
        ),
        pytest.param(
            [
                job().job(parallelism=4).claim("data").build(),
                claim("data", "ReadWriteOnce", namespace="x"),
            ],
            None,
            id="a claim of the same name in another namespace is another claim",
        ),
        pytest.param(
            [job().job(parallelism=4).claim("data").build()],
            Cluster(pvcs=[claim("data", "ReadOnlyMany")]),
            id="a live ReadOnlyMany dataset claim may be shared",
        ),
    ],
)
def test_not_flagged(objects: list[dict[str, Any]], cluster: Cluster | None) -> None:
    assert hits("ML006", objects, cluster) == []


def test_a_live_rwo_claim_is_found() -> None:
    cluster = Cluster(pvcs=[claim("data", "ReadWriteOnce")])
    assert len(hits("ML006", [job().job(parallelism=4).claim("data").build()], cluster)) == 1
