"""List options: selectors as a predicate, the ``continue`` token, their validation.

What a list or watch asks for, parsed and checked before the store looks at any object:
:func:`predicate` turns the namespace and the label and field selectors into a
``storage.SelectionPredicate`` (a selector that does not parse is a 400 with the parser's
message); :func:`validate_list_options` is ``ValidateListOptions``. The token is upstream's
own (``k8s.io/apiserver/pkg/storage/continue.go``): unpadded base64url of
``{"v":"meta.k8s.io/v1","rv":<list RV>,"start":"<next key>"}``, where the next key is the
last returned key plus ``"\\x00"``, relative to the list's key prefix. The messages of
expired and invalid tokens are ``storage/etcd3/store.go``'s. Selecting a page with them is
:mod:`.paging`'s.
"""

from __future__ import annotations

import binascii
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Protocol

import msgspec

from mlkube.api import fields as _fields
from mlkube.api import labels as _labels
from mlkube.api.field import FieldError, forbidden, not_supported
from mlkube.api.field import Path as FieldPath
from mlkube.engine.errors import BadRequest, Gone, Invalid

__all__ = [
    "CONTINUE_EXPIRED",
    "INCONSISTENT_CONTINUE",
    "LIST_EXPIRED",
    "FieldSelectorLike",
    "LabelSelectorLike",
    "Predicate",
    "decode_continue",
    "encode_continue",
    "expired_continue",
    "predicate",
    "validate_list_options",
]

# storage/etcd3/store.go
LIST_EXPIRED = "The resourceVersion for the provided list is too old."
CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter."
)
INCONSISTENT_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. "
    "You can start a new list without the continue parameter, or use the continue token in "
    "this response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)
# storage/continue.go
_ERR_INVALID_START_RV = (
    "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)"
)
_ERR_EMPTY_START_KEY = "continue key is not valid: encoded start key empty (version meta.k8s.io/v1)"
_ERR_GENERIC_INVALID_KEY = "continue key is not valid"
_ERR_UNRECOGNIZED_VERSION = (
    "continue key is not valid: server does not recognize this encoded version"
)
_TOKEN_VERSION = "meta.k8s.io/v1"
_B64_ALPHABET = frozenset(string.ascii_letters + string.digits + "-_")


class LabelSelectorLike(Protocol):
    """A parsed label selector (``mlkube.api.labels.Selector`` fits)."""

    def matches(self, labels: Mapping[str, str]) -> bool: ...


class FieldSelectorLike(Protocol):
    """A parsed field selector (``mlkube.api.fields.FieldSelector`` fits)."""

    def matches(self, fieldset: Mapping[str, str]) -> bool: ...


@dataclass(frozen=True, slots=True)
class Predicate:
    """``storage.SelectionPredicate``: namespace, label and field selectors (None = any)."""

    namespace: str | None = None
    labels: LabelSelectorLike | None = None
    fields: FieldSelectorLike | None = None

    @property
    def filters(self) -> bool:
        """False when every object in scope matches (``Predicate.Empty()``)."""
        return self.labels is not None or self.fields is not None


def predicate(
    plural: str,
    namespaced: bool,
    namespace: str | None,
    label_selector: str | LabelSelectorLike | None,
    field_selector: str | FieldSelectorLike | None,
) -> Predicate:
    """The predicate of a list or watch of ``plural``; selectors given as strings are
    parsed (400 with the parser's message), an empty one selects everything."""
    labels: LabelSelectorLike | None = None
    if isinstance(label_selector, str):
        try:
            parsed = _labels.parse_selector(label_selector)
        except _labels.SelectorError as err:
            raise BadRequest(err.message) from None
        labels = None if parsed.empty() else parsed
    elif label_selector is not None:
        labels = label_selector
    flds: FieldSelectorLike | None = None
    if isinstance(field_selector, str):
        try:
            fsel = _fields.convert_field_selector(
                plural, _fields.parse_field_selector(field_selector)
            )
        except _fields.FieldSelectorError as err:
            raise BadRequest(err.message) from None
        flds = None if fsel.empty() else fsel
    elif field_selector is not None:
        flds = field_selector
    ns = namespace or None if namespaced else None
    return Predicate(ns, labels, flds)


class _Token(msgspec.Struct):
    v: str = ""
    rv: int = 0
    start: str = ""


_token_decoder = msgspec.json.Decoder(_Token)


def encode_continue(key: str, key_prefix: str, resource_version: int) -> str:
    """``storage.EncodeContinue``: ``key`` is a full key under ``key_prefix``."""
    if not key.startswith(key_prefix):
        raise ValueError(
            f"unable to encode next field: the key and key prefix do not match {key_prefix} {key}"
        )
    raw = msgspec.json.encode(_Token(_TOKEN_VERSION, resource_version, key[len(key_prefix) :]))
    return (
        binascii.b2a_base64(raw, newline=False)
        .decode()
        .replace("+", "-")
        .replace("/", "_")
        .rstrip("=")
    )


def _raw_url_b64decode(value: str) -> bytes:
    """``base64.RawURLEncoding.DecodeString`` with Go's error text."""
    for i, ch in enumerate(value):
        if ch not in _B64_ALPHABET:
            raise ValueError(f"illegal base64 data at input byte {i}")
    if len(value) % 4 == 1:
        raise ValueError(f"illegal base64 data at input byte {len(value) - 1}")
    padded = value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4)
    return binascii.a2b_base64(padded)


def _go_path_clean(path: str) -> str:
    """``path.Clean`` for a rooted path."""
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts:
                parts.pop()
            continue
        parts.append(segment)
    return "/" + "/".join(parts)


def decode_continue(token: str, key_prefix: str) -> tuple[str, int]:
    """``storage.DecodeContinue``: the full start key and the token's resourceVersion.

    Raises :class:`BadRequest` ``invalid continue token: ...`` as ``etcd3/store.go`` does.
    """
    try:
        data = _raw_url_b64decode(token)
    except ValueError as err:
        raise BadRequest(f"invalid continue token: {_ERR_GENERIC_INVALID_KEY}: {err}") from None
    try:
        decoded = _token_decoder.decode(data)
    except msgspec.DecodeError as err:
        raise BadRequest(f"invalid continue token: {_ERR_GENERIC_INVALID_KEY}: {err}") from None
    if decoded.v != _TOKEN_VERSION:
        raise BadRequest(f"invalid continue token: {_ERR_UNRECOGNIZED_VERSION} {decoded.v}")
    if decoded.rv == 0:
        raise BadRequest(f"invalid continue token: {_ERR_INVALID_START_RV}")
    if not decoded.start:
        raise BadRequest(f"invalid continue token: {_ERR_EMPTY_START_KEY}")
    key = decoded.start if decoded.start.startswith("/") else "/" + decoded.start
    if _go_path_clean(key) != key:
        raise BadRequest(f"invalid continue token: {_ERR_GENERIC_INVALID_KEY}: {decoded.start}")
    return key_prefix + key[1:], decoded.rv


def expired_continue(start_key: str, key_prefix: str) -> Gone:
    """``handleCompactedErrorForPaging``: 410 with a fresh, inconsistent token (rv -1)."""
    return Gone(
        INCONSISTENT_CONTINUE,
        metadata={"continue": encode_continue(start_key, key_prefix, -1)},
    )


_RVM_NEEDS_RV: Final = "resourceVersionMatch is forbidden unless resourceVersion is provided"
_RVM_WITH_CONTINUE: Final = "resourceVersionMatch is forbidden when continue is provided"
_RVM_EXACT_ZERO: Final = 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'


def validate_list_options(
    resource_version: str | None, match: str | None, continue_: str | None
) -> None:
    """``ValidateListOptions`` (``apis/meta/internalversion/validation``): 422 on
    ``ListOptions.meta.k8s.io``."""
    if not match:
        return
    path = FieldPath("resourceVersionMatch")
    errs: list[FieldError] = []
    if not resource_version:
        errs.append(forbidden(path, _RVM_NEEDS_RV))
    if continue_:
        errs.append(forbidden(path, _RVM_WITH_CONTINUE))
    if match not in ("Exact", "NotOlderThan"):
        errs.append(not_supported(path, match, ["Exact", "NotOlderThan", ""]))
    if match == "Exact" and resource_version == "0":
        errs.append(forbidden(path, _RVM_EXACT_ZERO))
    if errs:
        raise Invalid("ListOptions.meta.k8s.io", "", errs)
