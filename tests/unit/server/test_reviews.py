"""Self-reviews: the token's holder may do anything, and is told who it is."""

from __future__ import annotations

from tests.unit.server.conftest import Http


def test_an_access_review_is_allowed_and_echoes_its_spec(api: Http) -> None:
    spec = {"resourceAttributes": {"verb": "get", "resource": "pods", "namespace": "ml"}}
    reply = api.post(
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec},
    )
    assert reply.status == 201
    assert reply.json() == {
        "kind": "SelfSubjectAccessReview",
        "apiVersion": "authorization.k8s.io/v1",
        "metadata": {},
        "spec": spec,
        "status": {"allowed": True},
    }


def test_a_self_subject_review_names_the_admin(api: Http) -> None:
    reply = api.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", {})
    assert reply.json()["status"]["userInfo"] == {
        "username": "mlkube-admin",
        "groups": ["system:masters", "system:authenticated"],
    }


def test_reviews_need_the_token_too(api: Http) -> None:
    reply = api.post("/apis/authentication.k8s.io/v1/selfsubjectreviews", {}, token="")
    assert reply.status == 401
