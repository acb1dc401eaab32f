"""Server-side apply's schema check of the body (structured-merge-diff ``typed/validate.go``).

Every expected text is what kube-apiserver v1.37.2 put after ``failed to create typed patch
object (...):`` for the same body, probed by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.api import schema
from mlkube.engine.patch.validation import validate


def _pod(spec: dict[str, Any] | None = None, **meta: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", **meta}}
    if spec is not None:
        body["spec"] = spec
    return body


def _check(body: dict[str, Any]) -> str | None:
    return validate(body, schema.kind_schema(body["apiVersion"], body["kind"]))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            _pod({"activeDeadlineSeconds": "x"}),
            ".spec.activeDeadlineSeconds: expected numeric (int or float), got string",
            id="a string is not numeric, named by its Go type",
        ),
        pytest.param(
            _pod({"activeDeadlineSeconds": {"a": 1}}),
            ".spec.activeDeadlineSeconds: expected numeric (int or float), "
            "got map[string]interface {}",
            id="a map is not numeric either",
        ),
        pytest.param(
            _pod(labels={"a": 1}),
            ".metadata.labels.a: expected string, got &value.valueUnstructured{Value:1}",
            id="a number is not a string, printed with %#v",
        ),
        pytest.param(
            _pod(labels={"a": 1000000}),
            ".metadata.labels.a: expected string, got &value.valueUnstructured{Value:1000000}",
            id="an integer is an int64 and prints its digits",
        ),
        pytest.param(
            _pod(labels={"a": 1.5e7}),
            ".metadata.labels.a: expected string, got &value.valueUnstructured{Value:1.5e+07}",
            id="a float is a float64 and prints as %v prints one",
        ),
        pytest.param(
            _pod(labels={"a": {"x": [1, "a", None, 1.5]}}),
            ".metadata.labels.a: expected string, got &value.valueUnstructured{Value:map[string]"
            'interface {}{"x":[]interface {}{1, "a", interface {}(nil), 1.5}}}',
            id="a map for a string prints Go syntax all the way down",
        ),
        pytest.param(
            _pod({"hostNetwork": "yes"}),
            ".spec.hostNetwork: expected boolean, got &{yes}",
            id="a string is not a boolean, printed with %v",
        ),
        pytest.param(
            _pod(labels="x"),
            ".metadata.labels: expected map, got &{x}",
            id="a string for a map",
        ),
        pytest.param(
            _pod({"containers": {"a": 1}}),
            ".spec.containers: expected list, got &{map[a:1]}",
            id="a map for a list",
        ),
        pytest.param(
            _pod({"tolerations": ["x"]}),
            ".spec.tolerations[0]: expected map, got &{x}",
            id="an atomic list's items are named by index",
        ),
        pytest.param(
            _pod({"containers": [{"name": "c", "image": 3}]}),
            '.spec.containers[name="c"].image: expected string, '
            "got &value.valueUnstructured{Value:3}",
            id="a keyed list's items are named by key",
        ),
        pytest.param(
            _pod({"containers": ["x"]}),
            ".spec.containers: element 0: associative list with keys may not have non-map elements",
            id="a keyed list holds maps",
        ),
        pytest.param(
            _pod({"containers": [None]}),
            ".spec.containers: element 0: associative list with keys may not have a null element",
            id="a keyed list holds no null",
        ),
        pytest.param(
            _pod({"containers": [{"name": "a"}, {"name": "a"}]}),
            '.spec.containers: duplicate entries for key [name="a"]',
            id="a keyed list holds each key once",
        ),
        pytest.param(
            _pod({"containers": [{"name": "a", "ports": [{"containerPort": 80}] * 2}]}),
            '.spec.containers[name="a"].ports: duplicate entries for key '
            '[containerPort=80,protocol="TCP"]',
            id="a missing key field takes its schema default",
        ),
        pytest.param(
            _pod(finalizers=["a/b", "a/b"]),
            '.metadata.finalizers: duplicate entries for key [="a/b"]',
            id="a set holds each value once",
        ),
        pytest.param(
            _pod(finalizers=[{"a": 1}]),
            ".metadata.finalizers: element 0: associative list without keys has an element "
            "that's a map type",
            id="a set holds no maps",
        ),
        pytest.param(
            _pod(finalizers=[["a"]]),
            ".metadata.finalizers: element 0: not supported: associative list with lists as "
            "elements",
            id="a set holds no lists",
        ),
        pytest.param(
            _pod(finalizers=[None]),
            ".metadata.finalizers: element 0: associative list without keys has an element "
            "that's an explicit null",
            id="a set holds no null",
        ),
        pytest.param(
            {**_pod(), "bogus": 1},
            ".bogus: field not declared in schema",
            id="a field the struct does not declare",
        ),
        pytest.param(
            _pod({"containers": [{"name": "c", "resources": {"limits": {"cpu": {"a": 1}}}}]}),
            '.spec.containers[name="c"].resources.limits.cpu: expected any scalar, got &{map[a:1]}',
            id="a quantity is any scalar",
        ),
        pytest.param(
            _pod(labels={"a": 1, "b": True}),
            "errors:\n"
            "  .metadata.labels.a: expected string, got &value.valueUnstructured{Value:1}\n"
            "  .metadata.labels.b: expected string, got &value.valueUnstructured{Value:true}",
            id="several errors are listed one per line",
        ),
    ],
)
def test_bodies_that_do_not_fit_the_schema(body: dict[str, Any], message: str) -> None:
    assert _check(body) == message


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(_pod({"containers": [{"name": "c", "image": "x"}]}), id="a valid pod"),
        pytest.param(_pod(labels=None), id="null is a valid map"),
        pytest.param(_pod(creationTimestamp=5), id="a timestamp is any scalar"),
        pytest.param(
            _pod({"containers": [{"name": "c", "resources": {"limits": {"cpu": True}}}]}),
            id="a quantity takes a boolean here (it fails later, converting)",
        ),
        pytest.param(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "d"},
                "spec": {"strategy": {"rollingUpdate": {"maxSurge": {"a": 1}}}},
            },
            id="an int-or-string has no type and takes anything",
        ),
        pytest.param(_pod({"activeDeadlineSeconds": 1.5}), id="a float is numeric"),
    ],
)
def test_bodies_that_fit_the_schema(body: dict[str, Any]) -> None:
    assert _check(body) is None


def test_a_kind_without_a_schema_is_not_checked() -> None:
    assert validate({"anything": 1}, None) is None
