"""OpenAPI v3: enough for kubectl apply's server-side validation and for kubectl explain."""

from __future__ import annotations

import hashlib

from tests.unit.server.conftest import Http


def test_the_root_lists_each_group_version_with_the_hash_of_its_document(api: Http) -> None:
    paths = api.get("/openapi/v3").json()["paths"]
    url = paths["apis/batch/v1"]["serverRelativeURL"]
    document = api.get(url)
    assert url.startswith("/openapi/v3/apis/batch/v1?hash=")
    assert url.split("hash=")[1] == hashlib.sha512(document.body).hexdigest().upper()
    assert {"api/v1", "apis/apps/v1"} <= set(paths)


def test_the_patch_operation_declares_field_validation_and_its_kind(api: Http) -> None:
    doc = api.get("/openapi/v3/api/v1").json()
    operation = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["patch"]
    assert operation["x-kubernetes-group-version-kind"] == {
        "group": "",
        "version": "v1",
        "kind": "Pod",
    }
    assert "fieldValidation" in [p["name"] for p in operation["parameters"]]


def test_the_schemas_carry_descriptions_and_v3_references(api: Http) -> None:
    schemas = api.get("/openapi/v3/apis/batch/v1").json()["components"]["schemas"]
    job = schemas["io.k8s.api.batch.v1.Job"]
    assert job["x-kubernetes-group-version-kind"] == [
        {"group": "batch", "version": "v1", "kind": "Job"}
    ]
    assert job["properties"]["spec"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.api.batch.v1.JobSpec"}
    ]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in schemas
    assert not any(k.startswith("x-mlkube") for s in schemas.values() for k in s)


def test_an_unserved_group_version_document_is_404(api: Http) -> None:
    assert api.get("/openapi/v3/apis/nosuch/v1").status == 404
    assert api.get("/openapi/v4").status == 404


def test_every_reference_of_a_v3_document_names_one_of_its_schemas(api: Http) -> None:
    doc = api.get("/openapi/v3/api/v1").json()
    refs: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                refs.add(node["$ref"].removeprefix("#/components/schemas/"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.Preconditions" in refs
    assert refs - set(doc["components"]["schemas"]) == set()
