"""The client raises one ApiError carrying the cluster's Status word for word."""

from __future__ import annotations

import json

from mlkube.client.errors import ApiError


def test_a_status_body_becomes_an_api_error_with_its_reason() -> None:
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "x" is forbidden: exceeded quota: q1',
        "reason": "Forbidden",
        "details": {"name": "x", "kind": "pods"},
        "code": 403,
    }
    err = ApiError.from_response(403, json.dumps(status).encode())
    assert (err.code, err.reason, err.message) == (403, "Forbidden", status["message"])
    assert err.details == {"name": "x", "kind": "pods"}


def test_a_body_that_is_not_a_status_keeps_its_text() -> None:
    err = ApiError.from_response(502, b"bad gateway\n")
    assert (err.code, err.reason, err.message) == (502, "", "bad gateway")


def test_an_empty_error_body_says_what_the_server_answered() -> None:
    assert ApiError.from_response(500, b"").message == "the server answered 500"
