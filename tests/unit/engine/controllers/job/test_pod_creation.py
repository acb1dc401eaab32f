"""What the Job controller puts on the pods it creates (job_controller_test.go:
TestControllerSyncJob pod expectations, TestJobPodLookup; indexed_job_utils_test.go:
TestPodGenerateNameWithIndex), and the SuccessfulCreate events."""

from __future__ import annotations

import pytest

from mlkube.engine.controllers.job.pods import pod_generate_name_with_index

from .builders import Kubelet, index_of, job_events, job_status, make_job, new_cluster


def test_a_pod_carries_the_job_labels_the_tracking_finalizer_and_a_controller_reference() -> None:
    c = new_cluster()
    job = c.create(make_job("pi").build())
    c.run_until_idle()
    [pod] = Kubelet(c).pods()
    meta = pod["metadata"]
    uid = job["metadata"]["uid"]
    assert meta["generateName"] == "pi-"
    assert meta["labels"] == {
        "batch.kubernetes.io/controller-uid": uid,
        "batch.kubernetes.io/job-name": "pi",
        "controller-uid": uid,
        "job-name": "pi",
    }
    assert meta["finalizers"] == ["batch.kubernetes.io/job-tracking"]
    assert meta["ownerReferences"] == [
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "name": "pi",
            "uid": uid,
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert "hostname" not in pod["spec"]


def test_an_indexed_pod_gets_its_index_as_annotation_label_hostname_and_env() -> None:
    c = new_cluster()
    c.create(make_job("pi").indexed().completions(3).parallelism(2).build())
    c.run_until_idle()
    pods = sorted(Kubelet(c).pods(), key=index_of)
    assert [index_of(p) for p in pods] == [0, 1]
    for i, pod in enumerate(pods):
        meta = pod["metadata"]
        assert meta["generateName"] == f"pi-{i}-"
        assert meta["annotations"]["batch.kubernetes.io/job-completion-index"] == str(i)
        assert meta["labels"]["batch.kubernetes.io/job-completion-index"] == str(i)
        assert pod["spec"]["hostname"] == f"pi-{i}"
        assert "subdomain" not in pod["spec"]
        assert pod["spec"]["containers"][0]["env"] == [
            {
                "name": "JOB_COMPLETION_INDEX",
                "valueFrom": {
                    "fieldRef": {
                        "apiVersion": "v1",
                        "fieldPath": "metadata.labels['batch.kubernetes.io/job-completion-index']",
                    }
                },
            }
        ]


@pytest.mark.parametrize(
    ("job", "index", "want"),
    [
        pytest.param("my-job", 10, "my-job-10-", id="a short name keeps the whole prefix"),
        pytest.param("a" * 50, 4, "a" * 50 + "-4-", id="a prefix of exactly 53 characters is kept"),
        pytest.param(
            "a" * 60, 12345, "a" * 51 + "-12345-", id="a long name is cut to fit 58 characters"
        ),
    ],
)
def test_generate_name_with_index(job: str, index: int, want: str) -> None:
    assert pod_generate_name_with_index(job, index) == want


def test_each_created_pod_is_an_event_and_counts_as_active() -> None:
    c = new_cluster()
    c.create(make_job("pi").completions(5).parallelism(3).build())
    c.run_until_idle()
    pods = Kubelet(c).pods()
    assert len(pods) == 3
    assert sorted(job_events(c)) == sorted(
        ("Normal", "SuccessfulCreate", f"Created pod: {p['metadata']['name']}") for p in pods
    )
    status = job_status(c)
    assert (status["active"], status["ready"], status["terminating"]) == (3, 0, 0)
    assert status["startTime"] == "2026-01-01T00:00:00Z"
    assert status["uncountedTerminatedPods"] == {}


def test_ready_counts_pods_with_the_ready_condition_one_batch_period_later() -> None:
    c = new_cluster()
    c.create(make_job("pi").completions(2).parallelism(2).build())
    c.run_until_idle()
    kubelet = Kubelet(c)
    first, second = kubelet.pods()
    kubelet.start(first, ready=True)
    kubelet.start(second, ready=False)
    c.advance(0.9)
    assert job_status(c)["ready"] == 0
    c.advance(0.1)
    assert job_status(c)["ready"] == 1


def test_a_template_that_is_refused_is_a_failed_create_event() -> None:
    c = new_cluster()
    c.create(
        {
            "apiVersion": "v1",
            "kind": "ResourceQuota",
            "metadata": {"name": "q"},
            "spec": {"hard": {"pods": "0"}},
        }
    )
    c.create(make_job("pi").build())
    c.run_until_idle()
    [(kind, reason, message)] = job_events(c)
    assert (kind, reason) == ("Warning", "FailedCreate")
    assert message.startswith('Error creating: pods "pi-')
    assert message.endswith(
        '" is forbidden: exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0'
    )
