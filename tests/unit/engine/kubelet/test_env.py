"""A container's environment as the kubelet resolves it (``kubelet_pods_test.go``
TestMakeEnvironmentVariables, ``third_party/forked/golang/expansion/expand_test.go``)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from mlkube.engine.kubelet import env

INDEX = "batch.kubernetes.io/job-completion-index"
CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "data": {"lr": "0.01", "epochs": "3"}}
SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "data": {"token": base64.b64encode(b"t0k").decode()},
}


def lookup(plural: str, namespace: str, name: str) -> dict[str, Any] | None:
    return {("configmaps", "hp"): CONFIG, ("secrets", "creds"): SECRET}.get((plural, name))


POD = {
    "metadata": {
        "name": "train-0",
        "namespace": "ml",
        "uid": "u-1",
        "labels": {"app": "train"},
        "annotations": {"batch.kubernetes.io/job-completion-index": "2"},
    },
    "spec": {"nodeName": "n1", "serviceAccountName": "default"},
    "status": {"podIP": "10.0.0.7", "hostIP": "172.18.0.2"},
}


def resolve(*variables: dict[str, Any], **container: Any) -> dict[str, str]:
    c = {"name": "main", "env": list(variables), **container}
    return env.environment(POD, c, lookup, allocatable={"cpu": "8", "memory": "16Gi"}, mounts={})


@pytest.mark.parametrize(
    ("var", "value"),
    [
        pytest.param({"value": "plain"}, "plain", id="a literal value"),
        pytest.param({"value": "$(A)-x"}, "a-x", id="a reference to an earlier variable"),
        pytest.param({"value": "$(MISSING)"}, "$(MISSING)", id="an unknown reference is kept"),
        pytest.param({"value": "$$(A)"}, "$(A)", id="$$ escapes a reference"),
        pytest.param(
            {"valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            "train-0",
            id="the pod name",
        ),
        pytest.param(
            {"valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['app']"}}},
            "train",
            id="a label",
        ),
        pytest.param(
            {"valueFrom": {"fieldRef": {"fieldPath": f"metadata.annotations['{INDEX}']"}}},
            "2",
            id="the completion index annotation",
        ),
        pytest.param(
            {"valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}, "10.0.0.7", id="the pod IP"
        ),
        pytest.param(
            {"valueFrom": {"configMapKeyRef": {"name": "hp", "key": "lr"}}},
            "0.01",
            id="a ConfigMap key",
        ),
        pytest.param(
            {"valueFrom": {"secretKeyRef": {"name": "creds", "key": "token"}}},
            "t0k",
            id="a Secret key, decoded",
        ),
        pytest.param(
            {"valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
            "8",
            id="a missing limit is the node's allocatable",
        ),
        pytest.param(
            {"valueFrom": {"resourceFieldRef": {"resource": "limits.memory", "divisor": "1Gi"}}},
            "16",
            id="a divisor scales the value",
        ),
    ],
)
def test_a_variable_resolves_as_the_kubelet_resolves_it(var: dict[str, Any], value: str) -> None:
    assert resolve({"name": "A", "value": "a"}, {"name": "V", **var})["V"] == value


def test_a_request_rounds_up_by_its_divisor() -> None:
    got = resolve(
        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "requests.cpu"}}},
        resources={"requests": {"cpu": "250m"}},
    )
    assert got["CPU"] == "1"


def test_env_from_takes_every_key_with_its_prefix_and_env_wins() -> None:
    got = resolve(
        {"name": "HP_lr", "value": "override"},
        envFrom=[{"prefix": "HP_", "configMapRef": {"name": "hp"}}],
    )
    assert (got["HP_lr"], got["HP_epochs"]) == ("override", "3")


def test_a_missing_key_that_is_not_optional_is_an_error() -> None:
    with pytest.raises(env.EnvError):
        resolve({"name": "X", "valueFrom": {"configMapKeyRef": {"name": "hp", "key": "nope"}}})


def test_an_optional_missing_key_is_left_out() -> None:
    got = resolve(
        {
            "name": "X",
            "valueFrom": {"configMapKeyRef": {"name": "hp", "key": "nope", "optional": True}},
        }
    )
    assert "X" not in got


def test_mounted_volumes_are_exported_with_their_local_path(tmp_path: Path) -> None:
    pod = {
        **POD,
        "spec": {
            **POD["spec"],
            "volumes": [
                {"name": "train-data", "emptyDir": {}},
                {
                    "name": "hp",
                    "configMap": {"name": "hp", "items": [{"key": "lr", "path": "lr.txt"}]},
                },
            ],
        },
    }
    mounts = env.prepare_volumes(pod, tmp_path / "pod", tmp_path / "state", lookup)
    c = {
        "name": "main",
        "volumeMounts": [
            {"name": "train-data", "mountPath": "/data"},
            {"name": "hp", "mountPath": "/etc/hp"},
        ],
    }
    got = env.environment(pod, c, lookup, allocatable={}, mounts=mounts)
    assert got["MLKUBE_MOUNT_TRAIN_DATA"] == str(tmp_path / "pod" / "volumes" / "train-data")
    assert (Path(got["MLKUBE_MOUNT_HP"]) / "lr.txt").read_text() == "0.01"


def test_a_value_naming_a_mounted_path_opens_the_volumes_local_file(tmp_path: Path) -> None:
    pod = {
        **POD,
        "spec": {
            **POD["spec"],
            "volumes": [
                {"name": "hp", "configMap": {"name": "hp"}},
                {"name": "out", "emptyDir": {}},
            ],
        },
    }
    mounts = env.prepare_volumes(pod, tmp_path / "pod", tmp_path / "state", lookup)
    c = {
        "name": "main",
        "env": [
            {"name": "PARAMS_FILE", "value": "/etc/hp/lr"},
            {"name": "RESULTS", "value": "/results"},
            {"name": "NEAR_MISS", "value": "/resultsx/a"},
            {"name": "PLAIN", "value": "lr=0.1"},
        ],
        "volumeMounts": [
            {"name": "hp", "mountPath": "/etc/hp"},
            {"name": "out", "mountPath": "/results/"},
        ],
    }
    got = env.environment(pod, c, lookup, allocatable={}, mounts=mounts)
    assert Path(got["PARAMS_FILE"]).read_text() == "0.01"
    assert got["RESULTS"] == str(mounts["out"])
    assert got["NEAR_MISS"] == "/resultsx/a"
    assert got["PLAIN"] == "lr=0.1"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "/data/x/y", "/local/d/x/y", id="a path under a mount moves under its directory"
        ),
        pytest.param("/data/sub/z", "/local/s/z", id="the longest mountPath wins"),
        pytest.param(
            "/database", "/database", id="a sibling name with the same prefix is left alone"
        ),
        pytest.param("data/x", "data/x", id="a relative path is left alone"),
    ],
)
def test_translate_path(value: str, expected: str) -> None:
    assert env.translate_path(value, {"/data": "/local/d", "/data/sub": "/local/s"}) == expected
