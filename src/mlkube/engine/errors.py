"""The engine's one error hierarchy, each error a ``metav1.Status`` waiting to be written.

Every verb of the embedded cluster fails with an :class:`ApiError`; ``server/`` writes
``to_status()`` as the response body with ``code`` as the HTTP status, and the client maps a
Status body back with :func:`ApiError.from_status`, so callers branch on ``reason``.

Each constructor builds exactly what the Go constructor of the same name builds in
``k8s.io/apimachinery/pkg/api/errors/errors.go`` (``NewNotFound``, ``NewAlreadyExists``,
``NewConflict``, ``NewInvalid``, ``NewForbidden``, ...), down to which ``details`` keys are set,
and ``to_status()`` serialises like ``encoding/json`` serialises ``metav1.Status``
(``k8s.io/apimachinery/pkg/apis/meta/v1/types.go``): keys in struct order, ``omitempty``
honoured, and a non-nil ``details`` kept even when all its fields are empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Protocol

from mlkube.api.field import FieldError, invalid_message
from mlkube.api.field import go_quote as _go_quote

__all__ = [
    "OPTIMISTIC_LOCK_ERROR_MSG",
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Conflict",
    "Forbidden",
    "Gone",
    "GroupResourceLike",
    "InternalError",
    "Invalid",
    "MethodNotAllowed",
    "NotFound",
    "RequestEntityTooLarge",
    "ServerTimeout",
    "ServiceUnavailable",
    "Timeout",
    "TooManyRequests",
    "Unauthorized",
]

# k8s.io/apiserver/pkg/registry/generic/registry/store.go
OPTIMISTIC_LOCK_ERROR_MSG = (
    "the object has been modified; please apply your changes to the latest version and try again"
)
# k8s.io/apiserver/pkg/registry/rest/delete.go (BeforeDelete)
_UID_PRECONDITION_MSG = (
    "the UID in the precondition ({expected}) does not match the UID in record ({actual}). "
    "The object might have been deleted and then recreated"
)
_RV_PRECONDITION_MSG = (
    "the ResourceVersion in the precondition ({expected}) does not match the ResourceVersion "
    "in record ({actual}). The object might have been modified"
)
# k8s.io/apiserver/pkg/storage/cacher/watch_cache.go
_TOO_OLD_RESOURCE_VERSION_MSG = "too old resource version: {requested} ({oldest})"
# k8s.io/apiserver/pkg/storage/errors.go (NewTooLargeResourceVersionError)
_TOO_LARGE_RESOURCE_VERSION_MSG = "Too large resource version: {requested}, current: {current}"
_CAUSE_RESOURCE_VERSION_TOO_LARGE = "ResourceVersionTooLarge"

_DETAIL_KEYS = ("name", "group", "kind", "uid", "causes", "retryAfterSeconds")
_CAUSE_KEYS = ("reason", "message", "field")


class GroupResourceLike(Protocol):
    """What an error needs of a resource type (``mlkube.api.registry.ResourceType`` fits)."""

    @property
    def group(self) -> str: ...

    @property
    def plural(self) -> str: ...

    @property
    def kind(self) -> str: ...


def _split_qualified(qualified: str) -> tuple[str, str]:
    """``"jobs.batch"`` -> ``("batch", "jobs")``; ``"pods"`` -> ``("", "pods")``."""
    resource, _, group = qualified.partition(".")
    return group, resource


def _group_resource(resource: GroupResourceLike | str) -> tuple[str, str]:
    if isinstance(resource, str):
        return _split_qualified(resource)
    return resource.group, resource.plural


def _group_kind(kind: GroupResourceLike | str) -> tuple[str, str]:
    if isinstance(kind, str):
        return _split_qualified(kind)
    return kind.group, kind.kind


def _qualified(group: str, name: str) -> str:
    """``schema.GroupResource.String()`` / ``schema.GroupKind.String()``."""
    return f"{name}.{group}" if group else name


def _details(
    *,
    name: str = "",
    group: str = "",
    kind: str = "",
    uid: str = "",
    causes: Sequence[Mapping[str, Any]] = (),
    retry_after_seconds: int = 0,
) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    if uid:
        details["uid"] = uid
    if causes:
        details["causes"] = [{k: cause[k] for k in _CAUSE_KEYS if cause.get(k)} for cause in causes]
    if retry_after_seconds:
        details["retryAfterSeconds"] = retry_after_seconds
    return details


class ApiError(Exception):
    """An API error as ``metav1.Status``: ``code`` (HTTP), ``reason``, ``message``, ``details``.

    ``details`` is ``None`` when upstream leaves ``Status.Details`` nil, else a dict in wire
    form holding only the non-empty keys. ``metadata`` is the Status' ListMeta (normally
    empty; an expired continue token carries a fresh ``continue`` there).
    """

    code: int = 500
    reason: str = ""
    _by_reason: ClassVar[dict[str, type[ApiError]]] = {}

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if reason is not None:
            self.reason = reason
        self.details = details
        self.metadata: dict[str, Any] = metadata if metadata is not None else {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.reason and cls.reason not in ApiError._by_reason:
            ApiError._by_reason[cls.reason] = cls

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code}, reason={self.reason!r})"

    def to_status(self) -> dict[str, Any]:
        """The exact ``metav1.Status`` JSON kube-apiserver writes for this error."""
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.metadata),
            "status": "Failure",
        }
        if self.message:
            status["message"] = self.message
        if self.reason:
            status["reason"] = self.reason
        if self.details is not None:
            status["details"] = {k: self.details[k] for k in _DETAIL_KEYS if k in self.details}
        if self.code:
            status["code"] = self.code
        return status

    @classmethod
    def from_status(cls, status: Mapping[str, Any]) -> ApiError:
        """Rebuild the error a Status body describes, as the subclass its ``reason`` names.

        The inverse of :meth:`to_status`: ``from_status(e.to_status()).to_status()`` is
        ``e.to_status()``. An unknown reason gives a plain :class:`ApiError`.
        """
        reason = str(status.get("reason") or "")
        target = ApiError._by_reason.get(reason, ApiError)
        err = target.__new__(target)
        raw_details = status.get("details")
        details = None
        if isinstance(raw_details, Mapping):
            details = _details(
                name=str(raw_details.get("name") or ""),
                group=str(raw_details.get("group") or ""),
                kind=str(raw_details.get("kind") or ""),
                uid=str(raw_details.get("uid") or ""),
                causes=list(raw_details.get("causes") or ()),
                retry_after_seconds=int(raw_details.get("retryAfterSeconds") or 0),
            )
        ApiError.__init__(
            err,
            str(status.get("message") or ""),
            code=int(status.get("code") or 0),
            reason=reason,
            details=details,
            metadata=dict(status.get("metadata") or {}),
        )
        return err

    @property
    def causes(self) -> list[dict[str, Any]]:
        """``details.causes`` (empty when there are none)."""
        if self.details is None:
            return []
        return list(self.details.get("causes", []))

    @property
    def retry_after_seconds(self) -> int:
        if self.details is None:
            return 0
        return int(self.details.get("retryAfterSeconds", 0))


class NotFound(ApiError):
    """404 ``NewNotFound``: ``pods "x" not found``."""

    code = 404
    reason = "NotFound"

    def __init__(self, resource: GroupResourceLike | str, name: str) -> None:
        group, res = _group_resource(resource)
        super().__init__(
            f"{_qualified(group, res)} {_go_quote(name)} not found",
            details=_details(name=name, group=group, kind=res),
        )


class AlreadyExists(ApiError):
    """409 ``NewAlreadyExists``: ``pods "x" already exists``.

    ``being_deleted`` gives the variant ``store.go`` Create returns when the existing object
    has a deletionTimestamp: ``object is being deleted: pods "x" already exists``.
    """

    code = 409
    reason = "AlreadyExists"

    def __init__(
        self, resource: GroupResourceLike | str, name: str, *, being_deleted: bool = False
    ) -> None:
        group, res = _group_resource(resource)
        message = f"{_qualified(group, res)} {_go_quote(name)} already exists"
        if being_deleted:
            message = f"object is being deleted: {message}"
        super().__init__(message, details=_details(name=name, group=group, kind=res))

    @classmethod
    def generate_name_conflict(
        cls, resource: GroupResourceLike | str, name: str, retry_after_seconds: int
    ) -> AlreadyExists:
        """``NewGenerateNameConflict``: no unique name could be generated."""
        group, res = _group_resource(resource)
        err = cls(resource, name)
        err.message = (
            f"{_qualified(group, res)} {_go_quote(name)} already exists, "
            "the server was not able to generate a unique name for the object"
        )
        err.args = (err.message,)
        err.details = _details(
            name=name, group=group, kind=res, retry_after_seconds=retry_after_seconds
        )
        return err


class Conflict(ApiError):
    """409 ``NewConflict``: ``Operation cannot be fulfilled on <res> "<name>": <why>``.

    ``why`` defaults to the optimistic-lock message an update with a stale resourceVersion
    gets.
    """

    code = 409
    reason = "Conflict"

    def __init__(
        self,
        resource: GroupResourceLike | str,
        name: str,
        why: str = OPTIMISTIC_LOCK_ERROR_MSG,
    ) -> None:
        group, res = _group_resource(resource)
        super().__init__(
            f"Operation cannot be fulfilled on {_qualified(group, res)} {_go_quote(name)}: {why}",
            details=_details(name=name, group=group, kind=res),
        )

    @classmethod
    def uid_precondition(
        cls, kind: GroupResourceLike | str, name: str, expected: str, actual: str
    ) -> Conflict:
        """``rest.BeforeDelete``: the precondition UID differs (the message prints the Kind)."""
        group, k = _group_kind(kind)
        return cls(
            _qualified(group, k),
            name,
            _UID_PRECONDITION_MSG.format(expected=expected, actual=actual),
        )

    @classmethod
    def resource_version_precondition(
        cls, kind: GroupResourceLike | str, name: str, expected: str, actual: str
    ) -> Conflict:
        """``rest.BeforeDelete``: the precondition resourceVersion differs (prints the Kind)."""
        group, k = _group_kind(kind)
        return cls(
            _qualified(group, k),
            name,
            _RV_PRECONDITION_MSG.format(expected=expected, actual=actual),
        )


class Invalid(ApiError):
    """422 ``NewInvalid``: ``Pod "x" is invalid: <aggregate>``, one cause per field error."""

    code = 422
    reason = "Invalid"

    def __init__(
        self, kind: GroupResourceLike | str, name: str, field_errors: Sequence[FieldError]
    ) -> None:
        group, k = _group_kind(kind)
        message = invalid_message(_qualified(group, k), name, field_errors)
        causes = [e.cause() for e in field_errors]
        # NewInvalid appends every cause, empty fields included; encoding drops empty ones.
        details: dict[str, Any] = _details(name=name, group=group, kind=k)
        if causes:
            details["causes"] = [{key: c[key] for key in _CAUSE_KEYS if c.get(key)} for c in causes]
        super().__init__(message, details=details)


class Forbidden(ApiError):
    """403 ``NewForbidden``: ``pods "x" is forbidden: <why>`` (or without name / resource)."""

    code = 403
    reason = "Forbidden"

    def __init__(
        self,
        resource: GroupResourceLike | str,
        name: str,
        why: str,
        *,
        causes: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        group, res = _group_resource(resource)
        if not group and not res:
            message = f"forbidden: {why}"
        elif not name:
            message = f"{_qualified(group, res)} is forbidden: {why}"
        else:
            message = f"{_qualified(group, res)} {_go_quote(name)} is forbidden: {why}"
        super().__init__(message, details=_details(name=name, group=group, kind=res, causes=causes))


class BadRequest(ApiError):
    """400 ``NewBadRequest``: free text, no details."""

    code = 400
    reason = "BadRequest"

    def __init__(self, message: str) -> None:
        super().__init__(message)


class Gone(ApiError):
    """410: ``NewResourceExpired`` (reason ``Expired``, the default) or ``NewGone``.

    ``Gone.too_old_resource_version(n, m)`` is the watch cache's message
    ``too old resource version: n (m)``.
    """

    code = 410
    reason = "Expired"

    def __init__(
        self,
        message: str,
        *,
        reason: str = "Expired",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, reason=reason, metadata=metadata)

    @classmethod
    def too_old_resource_version(cls, requested: int, oldest: int) -> Gone:
        return cls(_TOO_OLD_RESOURCE_VERSION_MSG.format(requested=requested, oldest=oldest))


ApiError._by_reason["Gone"] = Gone


class MethodNotAllowed(ApiError):
    """405 ``NewMethodNotSupported``: ``<verb> is not supported on resources of kind "<res>"``."""

    code = 405
    reason = "MethodNotAllowed"

    def __init__(self, resource: GroupResourceLike | str, action: str) -> None:
        group, res = _group_resource(resource)
        super().__init__(
            f"{action} is not supported on resources of kind {_go_quote(_qualified(group, res))}",
            details=_details(group=group, kind=res),
        )


class RequestEntityTooLarge(ApiError):
    """413 ``NewRequestEntityTooLargeError``: ``Request entity too large: <detail>``."""

    code = 413
    reason = "RequestEntityTooLarge"

    def __init__(self, detail: str) -> None:
        super().__init__(f"Request entity too large: {detail}")


class Unauthorized(ApiError):
    """401 ``NewUnauthorized``: the message, or ``not authorized`` when empty."""

    code = 401
    reason = "Unauthorized"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or "not authorized")


class InternalError(ApiError):
    """500 ``NewInternalError``: ``Internal error occurred: <err>``, the err as the one cause."""

    code = 500
    reason = "InternalError"

    def __init__(self, err: BaseException | str) -> None:
        text = str(err)
        super().__init__(
            f"Internal error occurred: {text}", details=_details(causes=[{"message": text}])
        )


class Timeout(ApiError):
    """504 ``NewTimeoutError``: ``Timeout: <message>``; details always present (retryAfter)."""

    code = 504
    reason = "Timeout"

    def __init__(self, message: str, retry_after_seconds: int = 0) -> None:
        super().__init__(
            f"Timeout: {message}", details=_details(retry_after_seconds=retry_after_seconds)
        )

    @classmethod
    def too_large_resource_version(
        cls, requested: int, current: int, retry_after_seconds: int = 1
    ) -> Timeout:
        """``storage.NewTooLargeResourceVersionError``: a watch/list RV from the future."""
        err = cls(
            _TOO_LARGE_RESOURCE_VERSION_MSG.format(requested=requested, current=current),
            retry_after_seconds,
        )
        assert err.details is not None
        err.details["causes"] = [
            {"reason": _CAUSE_RESOURCE_VERSION_TOO_LARGE, "message": "Too large resource version"}
        ]
        return err


class ServerTimeout(ApiError):
    """500 ``NewServerTimeout``: ``The <op> operation against <res> could not be completed ...``."""

    code = 500
    reason = "ServerTimeout"

    def __init__(
        self, resource: GroupResourceLike | str, operation: str, retry_after_seconds: int
    ) -> None:
        group, res = _group_resource(resource)
        super().__init__(
            f"The {operation} operation against {_qualified(group, res)} could not be completed "
            "at this time, please try again.",
            details=_details(
                name=operation, group=group, kind=res, retry_after_seconds=retry_after_seconds
            ),
        )


class TooManyRequests(ApiError):
    """429 ``NewTooManyRequests(message, retryAfterSeconds)``: the message as given.

    ``TooManyRequests.error(message)`` is ``NewTooManyRequestsError``:
    ``Too many requests: <message>`` without details.
    """

    code = 429
    reason = "TooManyRequests"

    def __init__(self, message: str, retry_after_seconds: int = 0) -> None:
        super().__init__(message, details=_details(retry_after_seconds=retry_after_seconds))

    @classmethod
    def error(cls, message: str) -> TooManyRequests:
        err = cls(message)
        err.message = f"Too many requests: {message}"
        err.args = (err.message,)
        err.details = None
        return err


class ServiceUnavailable(ApiError):
    """503 ``NewServiceUnavailable``: free text, no details."""

    code = 503
    reason = "ServiceUnavailable"

    def __init__(self, message: str) -> None:
        super().__init__(message)
