"""A malformed server-side apply body over HTTP: 400 in go-yaml's words, as kube-apiserver.

The wire reads ``application/apply-patch+yaml`` as ``validateAndTranscodePatch`` does
(``sigs.k8s.io/yaml`` ``ToJSON``): ``error encoding patch: yaml: line N: <problem>``.
"""

from __future__ import annotations

from .conftest import Http

CM = "/api/v1/namespaces/default/configmaps"


def test_a_badly_indented_apply_body_is_a_400_naming_go_yamls_line(api: Http) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y1\n data:\n  a: b\n"
    reply = api(
        "PATCH", f"{CM}/y1?fieldManager=a", body, content_type="application/apply-patch+yaml"
    )
    assert reply.status == 400
    assert reply.json()["reason"] == "BadRequest"
    assert (
        reply.json()["message"] == "error encoding patch: yaml: line 4: did not find expected key"
    )


def test_an_apply_body_with_a_tab_is_a_400(api: Http) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: y1\n"
    reply = api(
        "PATCH", f"{CM}/y1?fieldManager=a", body, content_type="application/apply-patch+yaml"
    )
    assert (reply.status, reply.json()["message"]) == (
        400,
        "error encoding patch: yaml: line 4: found character that cannot start any token",
    )


def test_an_apply_body_in_json_is_read_as_json(api: Http) -> None:
    body = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j1"},"data":{"a":"b"}}'
    reply = api(
        "PATCH", f"{CM}/j1?fieldManager=a", body, content_type="application/apply-patch+yaml"
    )
    assert (reply.status, reply.json()["data"]) == (201, {"a": "b"})
