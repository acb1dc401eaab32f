"""The Strategy contract: registry, generation, status preservation and name rules.

Cases from k8s.io/apiserver/pkg/registry/rest (BeforeCreate/BeforeUpdate) and the
strategies under pkg/registry/core/*/strategy_test.go.
"""

from __future__ import annotations

import copy

import pytest
from pod_builders import (
    DNS1035_LABEL_MSG,
    DNS1123_LABEL_MSG,
    DNS1123_SUBDOMAIN_MSG,
    created,
    make_pod,
)

import mlkube.engine.types as types
from mlkube.engine.types import STRATEGIES, Strategy, strategy_for
from mlkube.engine.types.strategy import BaseStrategy, spec_changed

POD = strategy_for("v1", "Pod")


@pytest.mark.parametrize(
    ("api_version", "kind"),
    [
        pytest.param("v1", "Pod", id="pods are registered"),
        pytest.param("v1", "Namespace", id="namespaces are registered"),
        pytest.param("v1", "Node", id="nodes are registered"),
        pytest.param("v1", "Service", id="services are registered"),
        pytest.param("v1", "ConfigMap", id="config maps are registered"),
        pytest.param("v1", "Secret", id="secrets are registered"),
        pytest.param("v1", "PersistentVolumeClaim", id="claims are registered"),
        pytest.param("v1", "PersistentVolume", id="volumes are registered"),
        pytest.param("v1", "ResourceQuota", id="quotas are registered"),
        pytest.param("v1", "LimitRange", id="limit ranges are registered"),
        pytest.param("storage.k8s.io/v1", "StorageClass", id="storage classes are registered"),
    ],
)
def test_strategy_for_finds_every_registered_type(api_version: str, kind: str) -> None:
    strategy = strategy_for(api_version, kind)
    assert (strategy.api_version, strategy.kind) == (api_version, kind)
    assert isinstance(strategy, Strategy)
    assert STRATEGIES[(api_version, kind)] is strategy


def test_an_unknown_type_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        strategy_for("v1", "Widget")


def test_the_package_exports_the_pod_template_helpers() -> None:
    assert {"default_pod_template_spec", "validate_pod_template_spec"} <= set(types.__all__)


def test_a_new_pod_starts_at_generation_one() -> None:
    pod = created(POD, make_pod().container().meta(generation=7).build())
    assert pod["metadata"]["generation"] == 1


@pytest.mark.parametrize(
    ("change", "generation"),
    [
        pytest.param(
            {"spec": {"activeDeadlineSeconds": 30}}, 2, id="a spec change bumps the generation"
        ),
        pytest.param(
            {"metadata": {"labels": {"a": "b"}}}, 1, id="a label change keeps the generation"
        ),
        pytest.param(
            {"status": {"phase": "Running"}}, 1, id="a status change keeps the generation"
        ),
    ],
)
def test_generation_grows_only_when_the_spec_changes(
    change: dict[str, dict[str, object]], generation: int
) -> None:
    old = created(POD, make_pod().container().build())
    new = copy.deepcopy(old)
    for key, fields in change.items():
        new.setdefault(key, {}).update(fields)
    POD.default(new)
    POD.prepare_for_update(new, old)
    assert new["metadata"]["generation"] == generation


def test_a_client_cannot_set_the_generation_on_update() -> None:
    old = created(POD, make_pod().container().build())
    new = copy.deepcopy(old)
    new["metadata"]["generation"] = 42
    POD.prepare_for_update(new, old)
    assert new["metadata"]["generation"] == 1


def test_a_main_resource_update_keeps_the_old_status() -> None:
    old = created(POD, make_pod().container().build())
    new = copy.deepcopy(old)
    new["status"] = {"phase": "Succeeded"}
    POD.prepare_for_update(new, old)
    assert new["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_a_status_update_keeps_the_old_spec() -> None:
    old = created(POD, make_pod().container().build())
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "other:1"
    new["status"] = {"phase": "Running", "qosClass": "BestEffort"}
    POD.prepare_for_status_update(new, old)
    assert new["spec"] == old["spec"]
    assert new["status"]["phase"] == "Running"


def test_spec_changed_ignores_metadata_and_status() -> None:
    a = {"apiVersion": "v1", "metadata": {"name": "a"}, "status": {"x": 1}, "data": {"k": "v"}}
    b = {"apiVersion": "v1", "metadata": {"name": "b"}, "status": {"x": 2}, "data": {"k": "v"}}
    assert not spec_changed(a, b)
    assert spec_changed(a, {**b, "data": {"k": "w"}})


@pytest.mark.parametrize(
    ("api_version", "kind", "name", "message"),
    [
        pytest.param(
            "v1", "Namespace", "My_ns", DNS1123_LABEL_MSG, id="a namespace name is a DNS label"
        ),
        pytest.param(
            "v1",
            "Namespace",
            "my.ns",
            "must not contain dots",
            id="a dotted namespace name is refused",
        ),
        pytest.param(
            "v1", "Service", "1svc", DNS1035_LABEL_MSG, id="a service name is a DNS-1035 label"
        ),
        pytest.param(
            "v1", "Pod", "Bad_Pod", DNS1123_SUBDOMAIN_MSG, id="a pod name is a DNS subdomain"
        ),
        pytest.param(
            "v1", "Node", "Node_1", DNS1123_SUBDOMAIN_MSG, id="a node name is a DNS subdomain"
        ),
    ],
)
def test_each_type_validates_names_with_its_upstream_rule(
    api_version: str, kind: str, name: str, message: str
) -> None:
    strategy = strategy_for(api_version, kind)
    assert isinstance(strategy, BaseStrategy)
    assert strategy.validate_name(name, False) == [message]


def test_a_dotted_name_is_a_valid_pod_name_but_not_a_namespace_name() -> None:
    assert strategy_for("v1", "Pod").validate_name("a.b", False) == []
    assert strategy_for("v1", "Namespace").validate_name("a.b", False) != []


def test_object_meta_is_validated_first() -> None:
    pod = make_pod(name="").container(image="").build()
    errs = [e.error() for e in POD.validate(created(POD, pod))]
    assert errs[0] == "metadata.name: Required value: name or generateName is required"
    assert errs[1] == "spec.containers[0].image: Required value"
