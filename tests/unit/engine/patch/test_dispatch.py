"""PATCH by Content-Type (``PatchResource`` in ``handlers/patch.go``, k8s.io/apiserver)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mlkube.engine.errors import ApiError, BadRequest
from mlkube.engine.patch import apply_patch

NOW = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)
LIVE = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "cm"},
    "data": {"a": "1", "b": "2"},
}


def run(body: Any, patch_type: str, live: dict[str, Any] | None = LIVE) -> Any:
    return apply_patch(
        live, body, patch_type, api_version="v1", kind="ConfigMap", manager="m", now=NOW
    )


@pytest.mark.parametrize(
    ("patch_type", "body", "expected_data"),
    [
        pytest.param(
            "application/json-patch+json",
            [{"op": "remove", "path": "/data/a"}],
            {"b": "2"},
            id="JSON patch",
        ),
        pytest.param(
            "application/merge-patch+json", {"data": {"a": None}}, {"b": "2"}, id="merge patch"
        ),
        pytest.param(
            "application/strategic-merge-patch+json; charset=utf-8",
            {"data": {"c": "3"}},
            {"a": "1", "b": "2", "c": "3"},
            id="strategic merge patch, with a parameter on the media type",
        ),
    ],
)
def test_each_patch_type(patch_type: str, body: Any, expected_data: dict[str, str]) -> None:
    assert run(body, patch_type)["data"] == expected_data


def test_an_apply_body_may_be_yaml_and_creates_the_object() -> None:
    body = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\n"
    created = run(body, "application/apply-patch+yaml", live=None)
    assert created["data"] == {"k": "v"}
    # An Apply entry lists the applied leaves; maps get no "." (ToFieldSet).
    assert created["metadata"]["managedFields"][0]["fieldsV1"] == {"f:data": {"f:k": {}}}


def test_an_apply_body_that_is_not_an_object_is_400() -> None:
    with pytest.raises(BadRequest) as caught:
        run("- a\n- b\n", "application/apply-patch+yaml", live=None)
    assert caught.value.message == (
        "error decoding patch: error unmarshaling JSON: while decoding JSON: json: cannot "
        "unmarshal array into Go value of type map[string]interface {}"
    )


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        pytest.param("just a string", "string", id="a string"),
        pytest.param("5", "number", id="a number"),
        pytest.param("true", "bool", id="a boolean"),
    ],
)
def test_an_apply_body_that_is_a_scalar_is_400_naming_its_json_type(body: str, kind: str) -> None:
    with pytest.raises(BadRequest) as caught:
        run(body, "application/apply-patch+yaml", live=None)
    assert caught.value.message == (
        "error decoding patch: error unmarshaling JSON: while decoding JSON: json: cannot "
        f"unmarshal {kind} into Go value of type map[string]interface {{}}"
    )


def test_a_whole_float_in_an_apply_body_is_an_integer() -> None:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "generation": 2.0}}
    created = run(body, "application/apply-patch+yaml", live=None)
    assert created["metadata"]["generation"] == 2
    assert type(created["metadata"]["generation"]) is int


def test_another_content_type_is_415() -> None:
    with pytest.raises(ApiError) as caught:
        run({}, "application/xml")
    assert (caught.value.code, caught.value.reason, caught.value.message) == (
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json, application/apply-patch+yaml",
    )
