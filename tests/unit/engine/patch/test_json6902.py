"""JSON patch (RFC 6902) with the statuses of ``applyJSPatch``.

Cases from ``k8s.io/apiserver/pkg/endpoints/handlers/patch.go`` (decode errors, the 10000
operation limit, the generic 422 for an operation that does not apply) and RFC 6902 appendix A.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.errors import ApiError
from mlkube.engine.patch import MAX_JSON_PATCH_OPERATIONS, json_patch

DOC = {"metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"items": [1, 2]}}


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        pytest.param(
            [{"op": "add", "path": "/metadata/labels/c", "value": "d"}],
            {"metadata": {"name": "x", "labels": {"a": "b", "c": "d"}}, "spec": {"items": [1, 2]}},
            id="add puts a member into an object",
        ),
        pytest.param(
            [{"op": "add", "path": "/spec/items/-", "value": 3}],
            {"metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"items": [1, 2, 3]}},
            id="a dash appends to an array",
        ),
        pytest.param(
            [{"op": "remove", "path": "/metadata/labels/a"}],
            {"metadata": {"name": "x", "labels": {}}, "spec": {"items": [1, 2]}},
            id="remove deletes a member",
        ),
        pytest.param(
            [
                {"op": "test", "path": "/metadata/name", "value": "x"},
                {"op": "replace", "path": "/metadata/name", "value": "y"},
            ],
            {"metadata": {"name": "y", "labels": {"a": "b"}}, "spec": {"items": [1, 2]}},
            id="a passing test lets the next operation run",
        ),
        pytest.param(
            [{"op": "move", "from": "/metadata/labels/a", "path": "/metadata/labels/z"}],
            {"metadata": {"name": "x", "labels": {"z": "b"}}, "spec": {"items": [1, 2]}},
            id="move renames a member",
        ),
        pytest.param(
            [{"op": "replace", "path": "/spec/missing", "value": 1}],
            {
                "metadata": {"name": "x", "labels": {"a": "b"}},
                "spec": {"items": [1, 2], "missing": 1},
            },
            id="replace sets a member an object lacks, as evanphx/json-patch.v4 does",
        ),
        pytest.param(None, DOC, id="a null body changes nothing"),
    ],
)
def test_operations(ops: Any, expected: dict[str, Any]) -> None:
    assert json_patch(DOC, ops) == expected


UNPROCESSABLE = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "the server rejected our request due to an error in our request",
    "reason": "Invalid",
    "details": {},
    "code": 422,
}


@pytest.mark.parametrize(
    "ops",
    [
        pytest.param([{"op": "test", "path": "/metadata/name", "value": "z"}], id="a failing test"),
        pytest.param([{"op": "remove", "path": "/metadata/missing"}], id="removing a missing path"),
        pytest.param(
            [{"op": "replace", "path": "/spec/missing/x", "value": 1}],
            id="replacing below a missing member",
        ),
        pytest.param(
            [{"op": "replace", "path": "/spec/items/2", "value": 1}],
            id="replacing past the end of an array",
        ),
        pytest.param([{"op": "frobnicate", "path": "/a"}], id="an unknown op"),
        pytest.param([{"path": "/a", "value": 1}], id="an operation without op"),
    ],
)
def test_an_operation_that_does_not_apply_is_a_generic_422(ops: Any) -> None:
    with pytest.raises(ApiError) as caught:
        json_patch(DOC, ops)
    assert caught.value.to_status() == UNPROCESSABLE


@pytest.mark.parametrize(
    ("ops", "validation", "message"),
    [
        pytest.param(
            {"op": "add"},
            "Strict",
            "error decoding patch: json: cannot unmarshal object into Go value of type "
            "[]handlers.jsonPatchOp",
            id="an object body is a decode error under Strict validation",
        ),
        pytest.param(
            ["add"],
            "Warn",
            "error decoding patch: json: cannot unmarshal string into Go value of type "
            "handlers.jsonPatchOp",
            id="an operation that is not an object is a decode error",
        ),
        pytest.param(
            [{"op": 1, "path": "/a"}],
            "Strict",
            "error decoding patch: json: cannot unmarshal number into Go struct field "
            "jsonPatchOp.op of type string",
            id="an op that is not a string is a decode error",
        ),
        pytest.param(
            {"op": "add"},
            "Ignore",
            "json: cannot unmarshal object into Go value of type jsonpatch.Patch",
            id="ignoring validation the library's decoder reports the object body",
        ),
    ],
)
def test_decode_errors_are_400(ops: Any, validation: str, message: str) -> None:
    with pytest.raises(ApiError) as caught:
        json_patch(DOC, ops, field_validation=validation)
    assert (caught.value.code, caught.value.reason, caught.value.message) == (
        400,
        "BadRequest",
        message,
    )


def test_more_than_10000_operations_is_413() -> None:
    ops = [{"op": "test", "path": "/metadata/name", "value": "x"}] * (MAX_JSON_PATCH_OPERATIONS + 1)
    with pytest.raises(ApiError) as caught:
        json_patch(DOC, ops)
    assert (caught.value.code, caught.value.message) == (
        413,
        "Request entity too large: The allowed maximum operations in a JSON patch is 10000, "
        "got 10001",
    )


def test_the_document_is_not_mutated() -> None:
    doc = {"a": {"b": 1}}
    json_patch(doc, [{"op": "replace", "path": "/a/b", "value": 2}])
    assert doc == {"a": {"b": 1}}
