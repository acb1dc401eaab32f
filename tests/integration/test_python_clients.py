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
