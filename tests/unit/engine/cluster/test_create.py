"""Creating objects through the embedded API server: defaults, admission and validation,
in kube-apiserver's order, with kube-apiserver's words."""

from __future__ import annotations

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.errors import AlreadyExists, BadRequest, Invalid, NotFound

from .conftest import container, job, pod


def test_a_pod_gets_server_metadata_and_starts_pending(cluster: Cluster) -> None:
    created = cluster.create(pod("p"))
    meta = created["metadata"]
    assert meta["name"] == "p"
    assert meta["namespace"] == "ml"
    assert len(meta["uid"]) == 36
    assert meta["creationTimestamp"] == "2026-01-01T00:00:00Z"
    assert int(meta["resourceVersion"]) > 0
    assert created["status"]["phase"] == "Pending"
    assert created["status"]["qosClass"] == "BestEffort"


def test_a_pod_gets_kubernetes_defaults(cluster: Cluster) -> None:
    spec = cluster.create(pod("p"))["spec"]
    assert spec["restartPolicy"] == "Always"
    assert spec["dnsPolicy"] == "ClusterFirst"
    assert spec["schedulerName"] == "default-scheduler"
    assert spec["terminationGracePeriodSeconds"] == 30
    assert spec["enableServiceLinks"] is True
    main = spec["containers"][0]
    assert main["imagePullPolicy"] == "IfNotPresent"
    assert main["terminationMessagePath"] == "/dev/termination-log"
    assert main["terminationMessagePolicy"] == "File"


def test_a_latest_image_is_always_pulled(cluster: Cluster) -> None:
    spec = cluster.create(pod("p", containers=[container(image="pytorch/pytorch")]))["spec"]
    assert spec["containers"][0]["imagePullPolicy"] == "Always"


def test_admission_gives_a_pod_its_account_token_tolerations_and_priority(cluster: Cluster) -> None:
    spec = cluster.create(pod("p"))["spec"]
    assert spec["serviceAccountName"] == "default"
    assert spec["volumes"][0]["name"].startswith("kube-api-access-")
    assert spec["containers"][0]["volumeMounts"][0]["mountPath"] == (
        "/var/run/secrets/kubernetes.io/serviceaccount"
    )
    assert [t["key"] for t in spec["tolerations"]] == [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ]
    assert spec["priority"] == 0
    assert spec["preemptionPolicy"] == "PreemptLowerPriority"


def test_generate_name_appends_five_characters(cluster: Cluster) -> None:
    created = cluster.create(pod("train-"))
    name = created["metadata"]["name"]
    assert name.startswith("train-")
    assert len(name) == len("train-") + 5


def test_every_write_records_its_manager(cluster: Cluster) -> None:
    created = cluster.create(pod("p"), field_manager="kubectl-create")
    (entry,) = created["metadata"]["managedFields"]
    assert entry["manager"] == "kubectl-create"
    assert entry["operation"] == "Update"
    assert entry["fieldsType"] == "FieldsV1"


def test_a_pod_without_containers_is_invalid(cluster: Cluster) -> None:
    with pytest.raises(Invalid) as err:
        cluster.create(pod("p", containers=[]))
    assert err.value.message == 'Pod "p" is invalid: spec.containers: Required value'
    assert err.value.code == 422


def test_a_request_above_its_limit_is_invalid(cluster: Cluster) -> None:
    bad = container(requests={"cpu": "2"}, limits={"cpu": "1"})
    with pytest.raises(Invalid) as err:
        cluster.create(pod("p", containers=[bad]))
    assert err.value.message == (
        'Pod "p" is invalid: spec.containers[0].resources.requests: Invalid value: "2": '
        "must be less than or equal to cpu limit of 1"
    )


def test_a_pod_in_a_missing_namespace_is_not_found(cluster: Cluster) -> None:
    with pytest.raises(NotFound) as err:
        cluster.create(pod("p", namespace="nope"))
    assert err.value.message == 'namespaces "nope" not found'


def test_creating_an_existing_name_already_exists(cluster: Cluster) -> None:
    cluster.create(pod("p"))
    with pytest.raises(AlreadyExists) as err:
        cluster.create(pod("p"))
    assert err.value.message == 'pods "p" already exists'
    assert err.value.code == 409


def test_a_job_gets_its_defaults_and_a_generated_selector(cluster: Cluster) -> None:
    created = cluster.create(job("train"))
    spec, uid = created["spec"], created["metadata"]["uid"]
    assert spec["backoffLimit"] == 6
    assert spec["completions"] == 1
    assert spec["parallelism"] == 1
    assert spec["completionMode"] == "NonIndexed"
    assert spec["suspend"] is False
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    labels = spec["template"]["metadata"]["labels"]
    assert labels["batch.kubernetes.io/job-name"] == "train"
    assert labels["batch.kubernetes.io/controller-uid"] == uid
    assert created["metadata"]["generation"] == 1


def test_a_job_whose_pods_restart_always_is_invalid(cluster: Cluster) -> None:
    template = {"spec": {"restartPolicy": "Always", "containers": [container()]}}
    with pytest.raises(Invalid) as err:
        cluster.create(job("train", template=template))
    assert err.value.message == (
        'Job.batch "train" is invalid: spec.template.spec.restartPolicy: Required value: '
        'valid values: "OnFailure", "Never"'
    )


def test_strict_field_validation_refuses_an_unknown_field(cluster: Cluster) -> None:
    body = pod("p")
    body["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    with pytest.raises(BadRequest) as err:
        cluster.create(body, field_validation="Strict")
    assert err.value.message == (
        'Pod in version "v1" cannot be handled as a Pod: '
        'strict decoding error: unknown field "spec.containers[0].imagePullPolicyy"'
    )


def test_warn_field_validation_drops_an_unknown_field_with_a_warning(cluster: Cluster) -> None:
    body = pod("p")
    body["spec"]["bogus"] = 1
    result = cluster.write(body, field_validation="Warn")
    assert result.warnings == ['unknown field "spec.bogus"']
    assert "bogus" not in result.object["spec"]


def test_a_dry_run_create_is_not_stored(cluster: Cluster) -> None:
    out = cluster.create(pod("p"), dry_run=True)
    assert out["metadata"]["name"] == "p"
    with pytest.raises(NotFound):
        cluster.get("pods", "p", "ml")


def test_a_new_namespace_gets_its_service_account_and_ca(cluster: Cluster) -> None:
    assert cluster.get("serviceaccounts", "default", "ml")["metadata"]["name"] == "default"
    assert "ca.crt" in cluster.get("configmaps", "kube-root-ca.crt", "ml")["data"]


def test_a_new_cluster_has_the_system_namespaces_and_priority_classes(cluster: Cluster) -> None:
    names = {ns["metadata"]["name"] for ns in cluster.list("namespaces")}
    assert {"default", "kube-system", "kube-public", "kube-node-lease", "ml"} <= names
    assert cluster.get("priorityclasses", "system-node-critical")["value"] == 2000001000


def test_a_new_node_is_tainted_until_ready(cluster: Cluster) -> None:
    node = cluster.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    assert {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"} in node["spec"]["taints"]


def test_a_claim_gets_the_default_class_and_its_protection_finalizer(cluster: Cluster) -> None:
    # The embedded cluster ships one default class, "local" (mlkube.io/local provisioner).
    default = cluster.get("storageclasses", "local")
    assert default["metadata"]["annotations"] == {
        "storageclass.kubernetes.io/is-default-class": "true"
    }
    claim = cluster.create(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data", "namespace": "ml"},
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        }
    )
    assert claim["spec"]["storageClassName"] == "local"
    assert claim["metadata"]["finalizers"] == ["kubernetes.io/pvc-protection"]


def test_a_generated_name_that_collides_is_generated_again(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlkube.engine.apiserver as apiserver

    names = iter(["train-aaaaa", "train-aaaaa", "train-bbbbb"])
    monkeypatch.setattr(apiserver, "generate_name", lambda prefix, rng: next(names))
    cluster.create(pod("train-aaaaa"))
    created = cluster.create(pod("train-"))
    assert created["metadata"]["name"] == "train-bbbbb"


def test_a_taken_explicit_name_is_not_retried(cluster: Cluster) -> None:
    cluster.create(pod("fixed"))
    with pytest.raises(AlreadyExists):
        cluster.create(pod("fixed"))
