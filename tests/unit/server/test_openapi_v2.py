"""``/openapi/v2``: the served kinds as a Swagger 2.0 document, JSON only."""

from __future__ import annotations

from typing import Any

from tests.unit.server.conftest import Http

PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
CONFIGMAP = "/api/v1/namespaces/{namespace}/configmaps/{name}"


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def test_the_v2_document_is_swagger_2_with_bearer_token_security(api: Http) -> None:
    reply = api.get("/openapi/v2")
    assert (reply.status, reply.headers["Content-Type"]) == (200, "application/json")
    doc = reply.json()
    assert (doc["swagger"], doc["info"]["title"]) == ("2.0", "Kubernetes")
    assert doc["security"] == [{"BearerToken": []}]


def test_every_reference_names_a_definition_of_the_document(api: Http) -> None:
    doc = api.get("/openapi/v2").json()
    refs: set[str] = set()
    _refs(doc, refs)
    missing = {r for r in refs if r.removeprefix("#/definitions/") not in doc["definitions"]}
    assert "#/definitions/io.k8s.api.core.v1.Pod" in refs
    assert missing == set()


def test_a_reference_keeps_its_description_beside_it_as_v2_writes_it(api: Http) -> None:
    spec = api.get("/openapi/v2").json()["definitions"]["io.k8s.api.core.v1.PodSpec"]
    assert spec["properties"]["affinity"] == {
        "description": "If specified, the pod's scheduling constraints",
        "$ref": "#/definitions/io.k8s.api.core.v1.Affinity",
    }


def test_operations_name_their_kind_and_the_content_types_served(api: Http) -> None:
    item = api.get("/openapi/v2").json()["paths"][CONFIGMAP]
    patch = item["patch"]
    assert patch["operationId"] == "patchCoreV1NamespacedConfigMap"
    assert patch["x-kubernetes-group-version-kind"] == {
        "group": "",
        "kind": "ConfigMap",
        "version": "v1",
    }
    assert patch["consumes"] == [
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        "application/apply-patch+yaml",
    ]
    assert patch["produces"] == ["application/json", "application/yaml"]
    assert "fieldValidation" in {p.get("name") for p in patch["parameters"]}
    assert item["get"]["responses"]["200"]["schema"] == {
        "$ref": "#/definitions/io.k8s.api.core.v1.ConfigMap"
    }


def test_a_group_operation_is_named_by_its_camel_cased_group(api: Http) -> None:
    paths = api.get("/openapi/v2").json()["paths"]
    roles = paths["/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles"]
    assert roles["post"]["operationId"] == "createRbacAuthorizationV1NamespacedRole"
    assert roles["post"]["tags"] == ["rbacAuthorization_v1"]


def test_only_the_protobuf_form_acceptable_is_406(api: Http) -> None:
    reply = api.get("/openapi/v2", headers={"Accept": PROTOBUF_V2})
    assert (reply.status, reply.body) == (406, b"")


def test_protobuf_first_then_json_gets_json(api: Http) -> None:
    reply = api.get("/openapi/v2", headers={"Accept": f"{PROTOBUF_V2}, application/json"})
    assert reply.status == 200
    assert reply.json()["swagger"] == "2.0"


def test_the_etag_answers_a_conditional_get_with_304(api: Http) -> None:
    etag = api.get("/openapi/v2").headers["Etag"]
    assert api.get("/openapi/v2", headers={"If-None-Match": etag}).status == 304


def test_the_root_lists_openapi_v2(api: Http) -> None:
    assert "/openapi/v2" in api.get("/").json()["paths"]
