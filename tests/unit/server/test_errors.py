"""Errors on the wire: every failure is a metav1.Status whose code is the HTTP status."""

from __future__ import annotations

import pytest

from tests.unit.server.conftest import Http, configmap

CM = "/api/v1/namespaces/default/configmaps"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("", id="no token"),
        pytest.param("wrong", id="a token that does not match"),
    ],
)
def test_requests_without_the_right_token_get_401_unauthorized(api: Http, token: str) -> None:
    reply = api.get(CM, token=token)
    assert reply.status == 401
    assert reply.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "Unauthorized",
        "reason": "Unauthorized",
        "code": 401,
    }


def test_a_missing_object_is_404_with_the_engine_message(api: Http) -> None:
    reply = api.get("/apis/batch/v1/namespaces/default/jobs/train")
    assert reply.status == 404
    assert reply.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'jobs.batch "train" not found',
        "reason": "NotFound",
        "details": {"name": "train", "group": "batch", "kind": "jobs"},
        "code": 404,
    }


def test_creating_twice_is_409_already_exists(api: Http) -> None:
    assert api.post(CM, configmap("a")).status == 201
    reply = api.post(CM, configmap("a"))
    assert (reply.status, reply.json()["reason"]) == (409, "AlreadyExists")
    assert reply.json()["message"] == 'configmaps "a" already exists'


def test_a_body_over_3_mib_is_413(api: Http) -> None:
    big = configmap("big", blob="x" * (3 * 1024 * 1024 + 1))
    reply = api.post(CM, big)
    assert reply.status == 413
    assert reply.json()["reason"] == "RequestEntityTooLarge"
    assert reply.json()["message"] == "Request entity too large: limit is 3145728"


def test_malformed_json_is_400_bad_request(api: Http) -> None:
    reply = api.post(CM, b'{"apiVersion": "v1", "kind": ')
    assert reply.status == 400
    body = reply.json()
    assert body["reason"] == "BadRequest"
    assert body["message"].startswith("couldn't get version/kind; json parse error: ")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        pytest.param("application/cbor", b"\xa0", id="CBOR is not served"),
        pytest.param(
            "application/vnd.kubernetes.protobuf",
            b"k8s\x00\x0a\x1f\x0a\x14networking.k8s.io/v1\x12\x07Ingress",
            id="protobuf of a kind mlkube does not serve",
        ),
    ],
)
def test_a_body_in_an_unsupported_media_type_is_415(
    api: Http, content_type: str, body: bytes
) -> None:
    reply = api.post(CM, body, content_type=content_type)
    assert reply.status == 415
    assert reply.json()["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json, application/yaml"
    )


def test_an_accept_header_without_json_is_406(api: Http) -> None:
    reply = api.get(CM, headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert reply.status == 406
    assert reply.json()["message"] == (
        "only the following media types are accepted: application/json"
    )


def test_an_unsupported_verb_on_a_subresource_is_405(api: Http) -> None:
    reply = api("DELETE", "/api/v1/namespaces/default/pods/x/status")
    assert reply.status == 405
    assert reply.json()["reason"] == "MethodNotAllowed"


def test_an_unsupported_dry_run_value_is_422_on_the_options_kind(api: Http) -> None:
    reply = api.post(f"{CM}?dryRun=Some", configmap("d"))
    assert reply.status == 422
    assert reply.json()["message"] == (
        'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: "Some": '
        'supported values: "All"'
    )


def test_a_bad_label_selector_is_400(api: Http) -> None:
    reply = api.get(f"{CM}?labelSelector=a%20in%20(")
    assert reply.status == 400
    assert reply.json()["reason"] == "BadRequest"


def test_an_unknown_include_object_value_is_400(api: Http) -> None:
    reply = api.get(
        f"{CM}?includeObject=Everything",
        headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
    )
    assert reply.status == 400
    assert reply.json()["message"] == 'unrecognized includeObject value: "Everything"'
