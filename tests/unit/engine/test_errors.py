"""Engine errors serialise to exactly the metav1.Status kube-apiserver writes.

Expected bodies follow k8s.io/apimachinery/pkg/api/errors/errors.go and the examples of
../shared/reference/api-machinery.md §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
import pytest

from mlkube.api import field
from mlkube.engine import errors
from mlkube.engine.errors import ApiError


@dataclass(frozen=True)
class _Rt:
    group: str
    plural: str
    kind: str


PODS = _Rt("", "pods", "Pod")
JOBS = _Rt("batch", "jobs", "Job")


def _failure(body: str) -> dict[str, Any]:
    out: dict[str, Any] = msgspec.json.decode(body)
    return out


CASES = [
    pytest.param(
        errors.NotFound(JOBS, "train"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"jobs.batch \\"train\\" not found","reason":"NotFound",'
        '"details":{"name":"train","group":"batch","kind":"jobs"},"code":404}',
        id="a missing job is NotFound with the qualified resource and its group",
    ),
    pytest.param(
        errors.NotFound("pods", "x"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"pods \\"x\\" not found","reason":"NotFound",'
        '"details":{"name":"x","kind":"pods"},"code":404}',
        id="a core resource given by its qualified name has no group in details",
    ),
    pytest.param(
        errors.AlreadyExists(PODS, "x"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"pods \\"x\\" already exists","reason":"AlreadyExists",'
        '"details":{"name":"x","kind":"pods"},"code":409}',
        id="creating over an existing pod is AlreadyExists",
    ),
    pytest.param(
        errors.AlreadyExists(PODS, "x", being_deleted=True),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"object is being deleted: pods \\"x\\" already exists",'
        '"reason":"AlreadyExists","details":{"name":"x","kind":"pods"},"code":409}',
        id="creating over a pod that is being deleted says so first",
    ),
    pytest.param(
        errors.AlreadyExists.generate_name_conflict("jobs.batch", "train-abcde", 1),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"jobs.batch \\"train-abcde\\" already exists, the server was not able to '
        'generate a unique name for the object","reason":"AlreadyExists",'
        '"details":{"name":"train-abcde","group":"batch","kind":"jobs","retryAfterSeconds":1},'
        '"code":409}',
        id="exhausted generateName retries ask the client to retry later",
    ),
    pytest.param(
        errors.Conflict(PODS, "x"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Operation cannot be fulfilled on pods \\"x\\": the object has been modified; '
        'please apply your changes to the latest version and try again","reason":"Conflict",'
        '"details":{"name":"x","kind":"pods"},"code":409}',
        id="an update with a stale resourceVersion gets the optimistic-lock message",
    ),
    pytest.param(
        errors.Conflict(
            "namespaces",
            "ml",
            "The system is ensuring all content is removed "
            "from this namespace.  Upon completion, this namespace will "
            "automatically be purged by the system.",
        ),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Operation cannot be fulfilled on namespaces \\"ml\\": The system is '
        "ensuring all content is removed from this namespace.  Upon completion, this namespace "
        'will automatically be purged by the system.","reason":"Conflict",'
        '"details":{"name":"ml","kind":"namespaces"},"code":409}',
        id="the general Conflict form carries any reason after the colon",
    ),
    pytest.param(
        errors.Conflict.uid_precondition(PODS, "x", "a", "b"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Operation cannot be fulfilled on Pod \\"x\\": the UID in the precondition '
        "(a) does not match the UID in record (b). The object might have been deleted and then "
        'recreated","reason":"Conflict","details":{"name":"x","kind":"Pod"},"code":409}',
        id="a delete precondition on uid prints the Kind, not the resource",
    ),
    pytest.param(
        errors.Conflict.resource_version_precondition(JOBS, "t", "1", "2"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Operation cannot be fulfilled on Job.batch \\"t\\": the ResourceVersion in '
        "the precondition (1) does not match the ResourceVersion in record (2). The object might "
        'have been modified","reason":"Conflict",'
        '"details":{"name":"t","group":"batch","kind":"Job"},"code":409}',
        id="a delete precondition on resourceVersion prints the qualified Kind",
    ),
    pytest.param(
        errors.Invalid(
            PODS,
            "x",
            [
                field.required(field.Path("spec", "containers").index(0).child("image")),
                field.not_supported(
                    field.Path("spec", "restartPolicy"),
                    "Sometimes",
                    ["Always", "OnFailure", "Never"],
                ),
            ],
        ),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Pod \\"x\\" is invalid: [spec.containers[0].image: Required value, '
        'spec.restartPolicy: Unsupported value: \\"Sometimes\\": supported values: '
        '\\"Always\\", \\"OnFailure\\", \\"Never\\"]","reason":"Invalid",'
        '"details":{"name":"x","kind":"Pod","causes":['
        '{"reason":"FieldValueRequired","message":"Required value",'
        '"field":"spec.containers[0].image"},'
        '{"reason":"FieldValueNotSupported","message":"Unsupported value: \\"Sometimes\\": '
        'supported values: \\"Always\\", \\"OnFailure\\", \\"Never\\"",'
        '"field":"spec.restartPolicy"}]},"code":422}',
        id="several field errors are bracketed in the message and listed as causes",
    ),
    pytest.param(
        errors.Invalid(
            JOBS,
            "",
            [
                field.required(field.Path("metadata", "name"), "x"),
                field.required(field.Path("metadata", "name"), "x"),
            ],
        ),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Job.batch \\"\\" is invalid: metadata.name: Required value: x",'
        '"reason":"Invalid","details":{"group":"batch","kind":"Job","causes":['
        '{"reason":"FieldValueRequired","message":"Required value: x","field":"metadata.name"},'
        '{"reason":"FieldValueRequired","message":"Required value: x","field":"metadata.name"}'
        ']},"code":422}',
        id="duplicate messages collapse to one without brackets but every cause stays",
    ),
    pytest.param(
        errors.Invalid("Pod", "x", []),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Pod \\"x\\" is invalid","reason":"Invalid",'
        '"details":{"name":"x","kind":"Pod"},"code":422}',
        id="an Invalid without field errors has no colon",
    ),
    pytest.param(
        errors.Forbidden(
            PODS, "x", "exceeded quota: q, requested: cpu=2, used: cpu=1, limited: cpu=2"
        ),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"pods \\"x\\" is forbidden: exceeded quota: q, requested: cpu=2, used: cpu=1,'
        ' limited: cpu=2","reason":"Forbidden","details":{"name":"x","kind":"pods"},"code":403}',
        id="an admission rejection names the object",
    ),
    pytest.param(
        errors.Forbidden(
            PODS,
            "",
            'User "alice" cannot list resource "pods" in API group "" in the namespace "ml"',
        ),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"pods is forbidden: User \\"alice\\" cannot list resource \\"pods\\" in API '
        'group \\"\\" in the namespace \\"ml\\"","reason":"Forbidden",'
        '"details":{"kind":"pods"},"code":403}',
        id="a forbidden collection request has no name",
    ),
    pytest.param(
        errors.Forbidden("", "", 'User "alice" cannot get path "/metrics"'),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"forbidden: User \\"alice\\" cannot get path \\"/metrics\\"",'
        '"reason":"Forbidden","details":{},"code":403}',
        id="a forbidden non-resource request keeps empty details",
    ),
    pytest.param(
        errors.Forbidden(
            PODS,
            "x",
            "unable to create new content in namespace ml because it is being terminated",
            causes=[
                {
                    "reason": "NamespaceTerminating",
                    "message": "namespace ml is being terminated",
                    "field": "metadata.namespace",
                }
            ],
        ),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"pods \\"x\\" is forbidden: unable to create new content in namespace ml '
        'because it is being terminated","reason":"Forbidden","details":{"name":"x",'
        '"kind":"pods","causes":[{"reason":"NamespaceTerminating","message":"namespace ml is '
        'being terminated","field":"metadata.namespace"}]},"code":403}',
        id="a forbidden error may carry causes",
    ),
    pytest.param(
        errors.BadRequest("Namespace parameter required."),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Namespace parameter required.","reason":"BadRequest","code":400}',
        id="a bad request has no details",
    ),
    pytest.param(
        errors.Gone.too_old_resource_version(123, 456),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"too old resource version: 123 (456)","reason":"Expired","code":410}',
        id="a watch from a compacted resourceVersion is Expired",
    ),
    pytest.param(
        errors.Gone("gone away", reason="Gone"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"gone away","reason":"Gone","code":410}',
        id="the deprecated NewGone form has reason Gone",
    ),
    pytest.param(
        errors.MethodNotAllowed(JOBS, "watch"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"watch is not supported on resources of kind \\"jobs.batch\\"",'
        '"reason":"MethodNotAllowed","details":{"group":"batch","kind":"jobs"},"code":405}',
        id="an unsupported verb is MethodNotAllowed without a name",
    ),
    pytest.param(
        errors.RequestEntityTooLarge("limit is 3145728"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Request entity too large: limit is 3145728",'
        '"reason":"RequestEntityTooLarge","code":413}',
        id="a body over the limit is RequestEntityTooLarge",
    ),
    pytest.param(
        errors.Unauthorized(),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"not authorized","reason":"Unauthorized","code":401}',
        id="an empty Unauthorized says not authorized",
    ),
    pytest.param(
        errors.Unauthorized("Unauthorized"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Unauthorized","reason":"Unauthorized","code":401}',
        id="the authentication filter's Unauthorized",
    ),
    pytest.param(
        errors.InternalError(RuntimeError("disk on fire")),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Internal error occurred: disk on fire","reason":"InternalError",'
        '"details":{"causes":[{"message":"disk on fire"}]},"code":500}',
        id="an internal error repeats the error as its only cause",
    ),
    pytest.param(
        errors.Timeout("request did not complete within requested timeout", 0),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Timeout: request did not complete within requested timeout",'
        '"reason":"Timeout","details":{},"code":504}',
        id="a timeout keeps its non-nil empty details",
    ),
    pytest.param(
        errors.Timeout.too_large_resource_version(500, 400, 1),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Timeout: Too large resource version: 500, current: 400",'
        '"reason":"Timeout","details":{"causes":[{"reason":"ResourceVersionTooLarge",'
        '"message":"Too large resource version"}],"retryAfterSeconds":1},"code":504}',
        id="a resourceVersion from the future times out with its cause",
    ),
    pytest.param(
        errors.ServerTimeout(JOBS, "create", 2),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"The create operation against jobs.batch could not be completed at this '
        'time, please try again.","reason":"ServerTimeout","details":{"name":"create",'
        '"group":"batch","kind":"jobs","retryAfterSeconds":2},"code":500}',
        id="a server timeout names the operation in details.name",
    ),
    pytest.param(
        errors.TooManyRequests("slow down", 3),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"slow down","reason":"TooManyRequests",'
        '"details":{"retryAfterSeconds":3},"code":429}',
        id="NewTooManyRequests keeps the message and the retry hint",
    ),
    pytest.param(
        errors.TooManyRequests.error("the queue is full"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"Too many requests: the queue is full","reason":"TooManyRequests",'
        '"code":429}',
        id="NewTooManyRequestsError prefixes the message and has no details",
    ),
    pytest.param(
        errors.ServiceUnavailable("etcd is down"),
        '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"etcd is down","reason":"ServiceUnavailable","code":503}',
        id="service unavailable is free text",
    ),
]


@pytest.mark.parametrize(("error", "body"), CASES)
def test_each_error_serialises_to_the_upstream_status_json(error: ApiError, body: str) -> None:
    assert msgspec.json.encode(error.to_status()).decode() == body


@pytest.mark.parametrize(("error", "body"), CASES)
def test_a_status_body_maps_back_to_the_same_error_class(error: ApiError, body: str) -> None:
    back = ApiError.from_status(_failure(body))

    assert type(back) is type(error)
    assert (back.code, back.reason, back.message) == (error.code, error.reason, error.message)
    assert back.to_status() == error.to_status()


def test_an_unknown_reason_maps_back_to_a_plain_api_error() -> None:
    back = ApiError.from_status({"status": "Failure", "message": "teapot", "code": 418})

    assert type(back) is ApiError
    assert (back.code, back.reason, str(back)) == (418, "", "teapot")


def test_errors_are_exceptions_whose_text_is_the_message() -> None:
    with pytest.raises(errors.NotFound, match=r'^pods "x" not found$'):
        raise errors.NotFound(PODS, "x")


def test_an_expired_continue_status_carries_its_fresh_token_in_metadata() -> None:
    err = errors.Gone("too old", metadata={"continue": "abc"})

    assert err.to_status()["metadata"] == {"continue": "abc"}
