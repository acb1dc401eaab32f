"""The served kinds' schema facts: patch strategies, list types, known and unknown fields.

Expected values are the struct tags and markers of ``k8s.io/api/core/v1/types.go``,
``apps/v1/types.go`` and ``k8s.io/apimachinery/pkg/apis/meta/v1/types.go`` (summarised in
api-machinery.md §5.3); unknown-field paths are kube-apiserver's strict decoding paths
(``strict decoding error: unknown field "spec.template.spec.containers[1].ports[0].x"``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlkube.api import schema
from mlkube.api.schema import PatchMeta

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("api_version", "kind", "path", "expected"),
    [
        pytest.param(
            "v1",
            "Pod",
            ("spec", "containers"),
            PatchMeta("merge", "name", "map", ("name",), None),
            id="PodSpec.containers merge by name and are a list map keyed by name",
        ),
        pytest.param(
            "v1",
            "Pod",
            ("spec", "volumes"),
            PatchMeta("merge,retainKeys", "name", "map", ("name",), None),
            id="PodSpec.volumes also retain keys",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            ("spec", "template", "spec", "containers", "ports"),
            PatchMeta("merge", "containerPort", "map", ("containerPort", "protocol"), None),
            id="container ports merge by containerPort but SSA keys them by port and protocol",
        ),
        pytest.param(
            "v1",
            "Pod",
            ("spec", "tolerations"),
            PatchMeta(None, None, "atomic", (), None),
            id="tolerations have no patch strategy and are atomic",
        ),
        pytest.param(
            "v1",
            "Pod",
            ("metadata", "finalizers"),
            PatchMeta("merge", None, "set", (), None),
            id="finalizers merge as a primitive set",
        ),
        pytest.param(
            "v1",
            "Pod",
            ("spec", "nodeSelector"),
            PatchMeta(None, None, None, (), "atomic"),
            id="nodeSelector is an atomic map",
        ),
        pytest.param(
            "batch/v1",
            "Job",
            ("status", "conditions"),
            PatchMeta("merge", "type", "atomic", (), None),
            id="Job conditions merge by type under SMP but are atomic under SSA",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            ("spec", "strategy"),
            PatchMeta("retainKeys", None, None, (), None),
            id="a Deployment strategy retains keys",
        ),
        pytest.param(
            "v1",
            "Service",
            ("spec", "ports"),
            PatchMeta("merge", "port", "map", ("port", "protocol"), None),
            id="Service ports merge by port",
        ),
    ],
)
def test_patch_meta(
    api_version: str, kind: str, path: tuple[str, ...], expected: PatchMeta
) -> None:
    assert schema.patch_meta(api_version, kind, path) == expected


def test_every_served_kind_has_a_schema() -> None:
    served = {
        ("v1", "Namespace"), ("v1", "Node"), ("v1", "Pod"), ("v1", "Binding"),
        ("v1", "Service"), ("v1", "Endpoints"), ("v1", "ConfigMap"), ("v1", "Secret"),
        ("v1", "Event"), ("events.k8s.io/v1", "Event"), ("v1", "PersistentVolume"),
        ("v1", "PersistentVolumeClaim"), ("storage.k8s.io/v1", "StorageClass"),
        ("v1", "ResourceQuota"), ("v1", "LimitRange"), ("scheduling.k8s.io/v1", "PriorityClass"),
        ("batch/v1", "Job"), ("batch/v1", "CronJob"), ("apps/v1", "Deployment"),
        ("apps/v1", "ReplicaSet"), ("apps/v1", "StatefulSet"), ("v1", "ServiceAccount"),
        ("rbac.authorization.k8s.io/v1", "Role"), ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        ("coordination.k8s.io/v1", "Lease"), ("policy/v1", "PodDisruptionBudget"),
        ("discovery.k8s.io/v1", "EndpointSlice"), ("v1", "Status"), ("v1", "DeleteOptions"),
    }  # fmt: skip
    missing = {gvk for gvk in served if schema.kind_schema(*gvk) is None}
    assert missing == set()


def test_an_unserved_kind_has_no_schema() -> None:
    assert schema.kind_schema("example.com/v1", "Widget") is None


def test_known_fields_of_a_container() -> None:
    fields = schema.known_fields("v1", "Pod", ("spec", "containers"))
    assert {"name", "image", "imagePullPolicy", "ports", "env", "resources"} <= set(fields)
    assert fields == sorted(fields)


def test_field_schema_follows_refs_and_keeps_the_property_description() -> None:
    node = schema.field_schema("apps/v1", "Deployment", ("spec", "replicas"))
    assert node is not None
    assert node["type"] == "integer"
    assert "desired pods" in node["description"]


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        pytest.param(
            {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"foo": 1}},
            ["spec.foo"],
            id="an unknown spec field is named from the root without a leading dot",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "a"}, {"name": "b", "imagePullPolicyy": "x"}]}},
            ["spec.containers[1].imagePullPolicyy"],
            id="list items are addressed by index",
        ),
        pytest.param(
            {
                "metadata": {"labels": {"any-key": "v"}, "annotations": {"k": "v"}},
                "spec": {
                    "containers": [
                        {
                            "name": "a",
                            "resources": {"limits": {"cpu": "500m", "nvidia.com/gpu": 1}},
                            "ports": [{"containerPort": 80, "targetPort": "http"}],
                        }
                    ]
                },
            },
            ["spec.containers[0].ports[0].targetPort"],
            id="map keys and quantities are known, a misplaced field is not",
        ),
        pytest.param(
            {"spec": {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": "x"}}}]}},
            [],
            id="an int-or-string port accepts a name",
        ),
        pytest.param(
            {"metadata": {"bogus": 1}, "status": {"phase": "Running", "extra": {"a": 1}}},
            ["metadata.bogus", "status.extra"],
            id="unknown fields are listed in document order and not entered",
        ),
    ],
)
def test_unknown_fields_of_a_pod(obj: dict[str, object], expected: list[str]) -> None:
    assert schema.unknown_fields("v1", "Pod", obj) == expected


def test_importing_the_schema_loads_nothing_until_first_use() -> None:
    code = (
        "import mlkube.api.schema as s\n"
        "print(s._data.cache_info().currsize)\n"
        "s.kind_schema('v1', 'Pod')\n"
        "print(s._data.cache_info().currsize)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["0", "1"]


def test_the_generated_file_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_schema.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr


def test_prune_unknown_fields_drops_them_in_place_and_names_them() -> None:
    obj: dict[str, object] = {
        "metadata": {"name": "p", "bogus": 1},
        "spec": {"containers": [{"name": "a", "imagePullPolicyy": "x"}]},
    }
    assert schema.prune_unknown_fields("v1", "Pod", obj) == [
        "metadata.bogus",
        "spec.containers[0].imagePullPolicyy",
    ]
    assert obj == {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}}


_BODIES = [
    pytest.param(
        "v1",
        "Pod",
        {
            "metadata": {"name": "p", "bogus": 1, "labels": {}, "annotations": None},
            "spec": {
                "containers": [
                    {"name": "a", "imagePullPolicyy": "x", "env": [], "ports": None},
                    {"name": "b", "resources": {"requests": {}}, "securityContext": {}},
                ],
                "nodeSelector": {"only": None},
                "tolerations": [],
                "extra": {"deep": [1]},
            },
        },
        id="a pod with unknown fields, nulls and empty lists and maps",
    ),
    pytest.param(
        "v1",
        "Pod",
        {"spec": {"affinity": {"bogus": {}}, "overhead": {}}, "status": {"conditions": []}},
        id="a struct left empty by pruning is kept, a map left empty is dropped",
    ),
    pytest.param(
        "batch/v1",
        "Job",
        {
            "spec": {
                "template": {
                    "metadata": {"labels": {}, "x": 1},
                    "spec": {"containers": [{"name": "m", "y": [], "args": []}]},
                },
                "selector": {"matchLabels": {}},
            },
        },
        id="a job's pod template",
    ),
    pytest.param(
        "v1",
        "ConfigMap",
        {"metadata": {"name": "c", "finalizers": []}, "data": {}, "binaryData": None, "z": 0},
        id="a config map",
    ),
    pytest.param(
        "example.com/v1",
        "Unserved",
        {"spec": {"anything": []}},
        id="a kind without a schema is left alone",
    ),
]


@pytest.mark.parametrize(("api_version", "kind", "body"), _BODIES)
def test_clean_body_is_pruning_then_dropping_empties_then_filling_zeros(
    api_version: str, kind: str, body: dict[str, object]
) -> None:
    import copy

    from mlkube.api import gojson

    one, two = copy.deepcopy(body), copy.deepcopy(body)
    pruned = schema.prune_unknown_fields(api_version, kind, one)
    schema.drop_empty(api_version, kind, one)
    gojson.fill_zeros(api_version, kind, one)
    assert schema.clean_body(api_version, kind, two) == pruned
    assert json.dumps(two) == json.dumps(one)
