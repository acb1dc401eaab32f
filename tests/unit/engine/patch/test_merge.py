"""JSON merge patch (RFC 7386) as kube-apiserver applies it.

Cases from RFC 7386 appendix A and ``gopkg.in/evanphx/json-patch.v4`` ``merge_test.go``;
the decode errors from ``applyJSPatch`` in ``k8s.io/apiserver/pkg/endpoints/handlers/patch.go``.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkube.engine.errors import BadRequest
from mlkube.engine.patch import merge_patch


@pytest.mark.parametrize(
    ("original", "patch", "expected"),
    [
        pytest.param({"a": "b"}, {"a": "c"}, {"a": "c"}, id="a value replaces a value"),
        pytest.param({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}, id="a new key is added"),
        pytest.param({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}, id="null deletes a key"),
        pytest.param(
            {"a": ["b"]}, {"a": ["c", "d"]}, {"a": ["c", "d"]}, id="arrays are replaced whole"
        ),
        pytest.param(
            {"a": {"b": "c"}},
            {"a": {"b": "d", "c": None}},
            {"a": {"b": "d"}},
            id="objects merge recursively",
        ),
        pytest.param(
            {"e": None},
            {"a": {"bb": {"ccc": None}}},
            {"e": None, "a": {"bb": {}}},
            id="nulls inside a new object are dropped",
        ),
        pytest.param(
            {"a": [{"b": "c"}]},
            {"a": [{"b": None, "d": 1}]},
            {"a": [{"d": 1}]},
            id="nulls inside objects of a replacing array are dropped (pruneNulls)",
        ),
        pytest.param({"a": {"b": "c"}}, {"a": "x"}, {"a": "x"}, id="a scalar replaces an object"),
    ],
)
def test_merge(original: dict[str, Any], patch: Any, expected: Any) -> None:
    assert merge_patch(original, patch) == expected


@pytest.mark.parametrize(
    ("patch", "validation", "message"),
    [
        pytest.param(
            ["a"],
            "Strict",
            "error decoding patch: json: cannot unmarshal array into Go value of type "
            "map[string]interface {}",
            id="with Strict validation an array body is a decode error",
        ),
        pytest.param(
            "x",
            "Warn",
            "error decoding patch: json: cannot unmarshal string into Go value of type "
            "map[string]interface {}",
            id="with Warn validation a string body is a decode error",
        ),
        pytest.param(None, "Warn", "Invalid JSON Patch", id="a null body is an invalid patch"),
        pytest.param(3, "Ignore", "Invalid JSON Patch", id="ignoring validation a scalar is too"),
    ],
)
def test_bad_bodies(patch: Any, validation: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        merge_patch({"a": 1}, patch, field_validation=validation)
    assert caught.value.message == message


def test_ignoring_validation_an_array_body_replaces_the_document() -> None:
    assert merge_patch({"a": 1}, [1, {"b": None}], field_validation="Ignore") == [1, {}]


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@given(
    original=st.dictionaries(st.text(max_size=3), _json, max_size=4),
    patch=st.dictionaries(st.text(max_size=3), _json, max_size=4),
)
def test_null_deletes_and_unmentioned_keys_are_kept(
    original: dict[str, Any], patch: dict[str, Any]
) -> None:
    merged = merge_patch(original, patch)
    assert all(k not in merged for k, v in patch.items() if v is None)
    assert {k: v for k, v in merged.items() if k not in patch} == {
        k: v for k, v in original.items() if k not in patch
    }
