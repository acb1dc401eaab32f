"""lightkube and the official ``kubernetes`` client against a served cluster, unchanged."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.integration.conftest import Served


@pytest.fixture
def namespace() -> str:
    return "default"


def _name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


# -- lightkube ----------------------------------------------------------------------------------


@pytest.fixture
def lk(served_cluster: Served) -> Any:
    from lightkube import Client
    from lightkube.config.kubeconfig import KubeConfig

    client = Client(KubeConfig.from_file(served_cluster.kubeconfig), field_manager="tests")
    yield client
    client.close()


def test_lightkube_creates_gets_and_lists(lk: Any) -> None:
    from lightkube.models.core_v1 import Container, PodSpec
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import Pod

    name = _name("lk")
    created = lk.create(
        Pod(
            metadata=ObjectMeta(name=name, labels={"suite": name}),
            spec=PodSpec(containers=[Container(name="main", image="busybox")]),
        )
    )
    got = lk.get(Pod, name)
    listed = list(lk.list(Pod, labels={"suite": name}))
    assert created.metadata.uid == got.metadata.uid
    assert [p.metadata.name for p in listed] == [name]
    assert got.status.phase == "Pending"


def test_lightkube_patches_and_applies(lk: Any) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap
    from lightkube.types import PatchType

    name = _name("cm")
    applied = lk.apply(ConfigMap(metadata=ObjectMeta(name=name), data={"a": "1"}))
    patched = lk.patch(ConfigMap, name, {"data": {"b": "2"}}, patch_type=PatchType.MERGE)
    assert applied.data == {"a": "1"}
    assert patched.data == {"a": "1", "b": "2"}
    entries = [(m.manager, m.operation) for m in patched.metadata.managedFields]
    assert entries == [("tests", "Apply"), ("tests", "Update")]


def test_lightkube_get_of_a_missing_object_raises_with_the_status(lk: Any) -> None:
    from lightkube import ApiError
    from lightkube.resources.batch_v1 import Job

    with pytest.raises(ApiError) as raised:
        lk.get(Job, "missing")
    assert raised.value.status.code == 404
    assert raised.value.status.message == 'jobs.batch "missing" not found'


def test_lightkube_watches_from_a_resource_version(lk: Any) -> None:
    from lightkube.models.meta_v1 import ObjectMeta
    from lightkube.resources.core_v1 import ConfigMap

    listing = lk.list(ConfigMap)
    list(listing)
    rv = listing.resourceVersion
    name = _name("w")
    lk.create(ConfigMap(metadata=ObjectMeta(name=name), data={}))
    seen = []
    for event, obj in lk.watch(ConfigMap, resource_version=rv, server_timeout=5):
        seen.append((event, obj.metadata.name))
        if obj.metadata.name == name:
            break
    assert ("ADDED", name) in seen


# -- the official client -----------------------------------------------------------------------


@pytest.fixture
def core(served_cluster: Served) -> Any:
    from kubernetes import client, config

    api_client = config.new_client_from_config(config_file=str(served_cluster.kubeconfig))
    yield client.CoreV1Api(api_client)
    api_client.close()


def test_the_official_client_creates_and_lists(core: Any) -> None:
    from kubernetes import client

    name = _name("k8s")
    body = client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels={"suite": name}), data={"k": "v"}
    )
    created = core.create_namespaced_config_map("default", body)
    listed = core.list_namespaced_config_map("default", label_selector=f"suite={name}")
    assert created.metadata.name == name
    assert [c.data for c in listed.items] == [{"k": "v"}]


def test_the_official_client_watches_with_bookmarks(core: Any) -> None:
    from kubernetes import client, watch

    rv = core.list_namespaced_config_map("default").metadata.resource_version
    name = _name("wb")
    core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name))
    )
    w = watch.Watch()
    events = []
    for event in w.stream(
        core.list_namespaced_config_map,
        "default",
        resource_version=rv,
        allow_watch_bookmarks=True,
        timeout_seconds=5,
    ):
        events.append((event["type"], event["object"].metadata.name))
        if event["object"].metadata.name == name:
            w.stop()
    assert ("ADDED", name) in events


def test_the_official_client_streaming_list_ends_with_the_bookmark(core: Any) -> None:
    from kubernetes import watch

    w = watch.Watch()
    types = []
    for event in w.stream(
        core.list_namespaced_config_map,
        "default",
        allow_watch_bookmarks=True,
        send_initial_events=True,
        resource_version_match="NotOlderThan",
        timeout_seconds=5,
    ):
        types.append(event["type"])
        if event["type"] == "BOOKMARK":
            annotations = event["raw_object"]["metadata"].get("annotations") or {}
            assert annotations == {"k8s.io/initial-events-end": "true"}
            w.stop()
    assert types[-1] == "BOOKMARK"
    assert set(types[:-1]) == {"ADDED"}


def test_the_official_client_raises_api_exception_with_the_status_code(core: Any) -> None:
    from kubernetes.client.rest import ApiException

    with pytest.raises(ApiException) as raised:
        core.read_namespaced_pod("missing", "default")
    assert raised.value.status == 404


def test_the_dynamic_client_discovers_and_server_side_applies(served_cluster: Served) -> None:
    from kubernetes import config, dynamic

    api_client = config.new_client_from_config(config_file=str(served_cluster.kubeconfig))
    try:
        dc = dynamic.DynamicClient(api_client)
        pods = dc.resources.get(api_version="v1", kind="Pod")
        configmaps = dc.resources.get(api_version="v1", kind="ConfigMap")
        name = _name("dyn")
        applied = configmaps.server_side_apply(
            body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                  "data": {"a": "1"}},
            namespace="default",
            field_manager="dyn",
        )  # fmt: skip
    finally:
        api_client.close()
    assert (pods.short_names, pods.namespaced) == (["po"], True)
    body = applied.to_dict()
    assert body["data"] == {"a": "1"}
    assert body["metadata"]["managedFields"][0]["manager"] == "dyn"


def test_the_official_client_evicts_within_a_budget_and_gets_429_beyond_it(
    served_cluster: Served, core: Any
) -> None:
    import json
    import time

    from kubernetes import client
    from kubernetes.client.rest import ApiException

    suite = _name("evict")
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": suite}}
    core.create_node(node)
    for i in range(2):
        core.create_namespaced_pod(
            "default",
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": f"{suite}-{i}", "labels": {"suite": suite}},
                "spec": {"nodeName": suite, "containers": [{"name": "main", "image": "busybox"}]},
            },
        )
    policy = client.PolicyV1Api(core.api_client)
    policy.create_namespaced_pod_disruption_budget(
        "default",
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": suite},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"suite": suite}}},
        },
    )

    def allowed() -> int | None:
        status = policy.read_namespaced_pod_disruption_budget(suite, "default").status
        return status.disruptions_allowed if status is not None else None

    deadline = time.monotonic() + 30
    while allowed() != 1:  # the disruption controller counts the two running pods
        assert time.monotonic() < deadline, "the budget never allowed one disruption"
        time.sleep(0.1)

    def evict(pod: str) -> Any:
        body = client.V1Eviction(metadata=client.V1ObjectMeta(name=pod, namespace="default"))
        return core.create_namespaced_pod_eviction(pod, "default", body)

    evict(f"{suite}-0")
    with pytest.raises(ApiException) as refused:
        evict(f"{suite}-1")
    status = json.loads(refused.value.body)
    assert (refused.value.status, status["message"]) == (
        429,
        "Cannot evict pod as it would violate the pod's disruption budget.",
    )
    assert status["details"]["causes"][0]["reason"] == "DisruptionBudget"


def test_the_official_client_scales_a_deployment_through_the_subresource(
    served_cluster: Served,
) -> None:
    from kubernetes import client, config

    api_client = config.new_client_from_config(config_file=str(served_cluster.kubeconfig))
    apps = client.AppsV1Api(api_client)
    name = _name("scaled")
    try:
        apps.create_namespaced_deployment(
            "default",
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name},
                "spec": {
                    "replicas": 1,
                    "selector": {"matchLabels": {"app": name}},
                    "template": {
                        "metadata": {"labels": {"app": name}},
                        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
                    },
                },
            },
        )
        scaled = apps.patch_namespaced_deployment_scale(name, "default", {"spec": {"replicas": 4}})
        read = apps.read_namespaced_deployment_scale(name, "default")
        replicas = apps.read_namespaced_deployment(name, "default").spec.replicas
    finally:
        api_client.close()
    assert (scaled.spec.replicas, read.spec.replicas, replicas) == (4, 4, 4)
    assert read.status.selector == f"app={name}"
