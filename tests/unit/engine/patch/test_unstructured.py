"""``FromUnstructured``: a patched map back into its kind's Go type, with the converter's texts.

Every expected message is what kube-apiserver v1.37.2 answered for the same strategic merge
patch (the 422's ``Invalid value`` detail), probed by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.patch.unstructured import ConversionError, from_unstructured

_QUANTITY = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)


@pytest.mark.parametrize(
    ("api_version", "kind", "obj", "message"),
    [
        pytest.param(
            "apps/v1",
            "Deployment",
            {"spec": {"replicas": "x"}},
            "unrecognized type: int32",
            id="a string for an int32 has no conversion at all",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            {"spec": {"replicas": True}},
            "unrecognized type: int32",
            id="a boolean for an int32 has no conversion at all",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            {"spec": {"replicas": 1.5}},
            "cannot convert float64 to int32",
            id="a fractional float does not become an integer",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            {"spec": "x"},
            "cannot restore struct from: string",
            id="a string for a struct",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            {"metadata": {"labels": "x"}},
            "cannot restore map from string",
            id="a string for a map",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"data": ["a"]},
            "cannot restore map from slice",
            id="a list for a map",
        ),
        pytest.param(
            "v1",
            "Pod",
            {"spec": {"containers": {"a": 1}}},
            "cannot restore slice from map",
            id="a map for a list",
        ),
        pytest.param(
            "v1",
            "Pod",
            {"spec": {"containers": [{"name": "c", "image": 3}]}},
            "cannot convert int64 to string",
            id="an integer for a string inside a list item: Go could convert it, JSON cannot",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"metadata": {"annotations": {"b": 1.5}}},
            "unrecognized type: string",
            id="a float for a string has no conversion at all",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"immutable": "yes"},
            "unrecognized type: bool",
            id="a string for a boolean",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            {"spec": {"strategy": {"rollingUpdate": {"maxSurge": True}}}},
            "json: cannot unmarshal bool into Go value of type int32",
            id="an int-or-string decodes a non-string as an int32",
        ),
        pytest.param(
            "apps/v1",
            "Deployment",
            {"spec": {"strategy": {"rollingUpdate": {"maxSurge": 1.5}}}},
            "json: cannot unmarshal number 1.5 into Go value of type int32",
            id="an int-or-string refuses a fractional number",
        ),
        pytest.param(
            "v1",
            "Pod",
            {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": True}}}]}},
            _QUANTITY,
            id="a quantity parses the JSON text of what it is given",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"metadata": {"creationTimestamp": 5}},
            "json: cannot unmarshal number into Go value of type string",
            id="a timestamp must be a string",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"metadata": {"creationTimestamp": "x"}},
            'parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"',
            id="a timestamp must parse as RFC 3339",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"binaryData": {"k": "!!"}},
            "error decoding from json: illegal base64 data at input byte 0",
            id="bytes must be base64",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"binaryData": {"k": "QUJD="}},
            "error decoding from json: illegal base64 data at input byte 4",
            id="base64 padding in the wrong place is found where Go finds it",
        ),
        pytest.param(
            "v1",
            "ConfigMap",
            {"kind": 5, "data": {"k": 1}},
            "cannot convert int64 to string",
            id="the embedded TypeMeta is converted before the kind's own fields",
        ),
    ],
)
def test_values_that_do_not_convert(
    api_version: str, kind: str, obj: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConversionError) as refused:
        from_unstructured(api_version, kind, obj)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("replicas", "converted"),
    [
        pytest.param(3, 3, id="an int32 that fits is kept"),
        pytest.param(2**31, -(2**31), id="2147483648 wraps to the most negative int32"),
        pytest.param(2**32 + 2, 2, id="4294967298 keeps its low 32 bits"),
        pytest.param(2**40, 0, id="1099511627776 keeps its low 32 bits, zero"),
        pytest.param(3.0, 3, id="a whole float becomes an integer"),
    ],
)
def test_integers_narrow_as_reflect_convert_narrows_them(replicas: Any, converted: int) -> None:
    out = from_unstructured("apps/v1", "Deployment", {"spec": {"replicas": replicas}})
    assert out["spec"]["replicas"] == converted
    assert type(out["spec"]["replicas"]) is int


def test_fields_the_type_does_not_have_are_kept_as_they_are() -> None:
    obj = {"metadata": {"name": "x"}, "bogus": {"a": 1}, "data": {"k": "v"}}
    assert from_unstructured("v1", "ConfigMap", obj) == obj


def test_a_kind_without_go_types_is_returned_as_it_is() -> None:
    obj = {"spec": {"anything": 1}}
    assert from_unstructured("example.com/v1", "Widget", obj) == obj


def test_bytes_given_as_a_list_become_base64() -> None:
    out = from_unstructured("v1", "ConfigMap", {"binaryData": {"k": [65, 66, 67]}})
    assert out["binaryData"]["k"] == "QUJD"
