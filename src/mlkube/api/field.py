"""Field paths and field-level validation errors, rendered exactly as Kubernetes renders them.

Every validator in mlkube reports problems as :class:`FieldError` values so that the
engine's ``Invalid`` error, its ``details.causes`` and any event or ``explain`` output
repeat kube-apiserver's text byte for byte. This module follows
``k8s.io/apimachinery/pkg/util/validation/field/errors.go`` and ``path.go``,
``k8s.io/apimachinery/pkg/util/errors/errors.go`` (``aggregate.Error``) and the cause
building of ``k8s.io/apimachinery/pkg/api/errors/errors.go`` (``NewInvalid``), read at
v0.37.0-beta.0.
"""

from __future__ import annotations

import decimal
import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "OMIT_VALUE",
    "ErrorList",
    "ErrorType",
    "FieldError",
    "Path",
    "Struct",
    "aggregate_message",
    "duplicate",
    "forbidden",
    "go_quote",
    "internal",
    "invalid",
    "invalid_message",
    "not_found",
    "not_supported",
    "required",
    "to_aggregate",
    "too_few",
    "too_long",
    "too_long_characters",
    "too_many",
    "too_short",
    "type_invalid",
]


class Path:
    """The path from a root to one field: ``spec.containers[0].resources.limits[cpu]``.

    Immutable; ``child``, ``index`` and ``key`` return new paths (``field.Path``).
    """

    __slots__ = ("_elems",)

    # Each element is (name, subscript); name == "" marks a subscript, as upstream.
    _elems: tuple[tuple[str, str], ...]

    def __init__(self, name: str, *more_names: str) -> None:
        self._elems = tuple((n, "") for n in (name, *more_names))

    @classmethod
    def _of(cls, elems: tuple[tuple[str, str], ...]) -> Path:
        p = cls.__new__(cls)
        p._elems = elems
        return p

    def child(self, name: str, *more_names: str) -> Path:
        """``p.Child(name, moreNames...)``."""
        return Path._of(self._elems + tuple((n, "") for n in (name, *more_names)))

    def index(self, index: int) -> Path:
        """``p.Index(i)``: renders as ``[i]``."""
        return Path._of((*self._elems, ("", str(index))))

    def key(self, key: str) -> Path:
        """``p.Key(k)``: renders as ``[k]`` (no quoting, as upstream)."""
        return Path._of((*self._elems, ("", key)))

    def root(self) -> Path:
        """The root element alone."""
        return Path._of(self._elems[:1])

    def __str__(self) -> str:
        out: list[str] = []
        for i, (name, sub) in enumerate(self._elems):
            if name:
                if i > 0:
                    out.append(".")
                out.append(name)
            else:
                out.append(f"[{sub}]")
        return "".join(out)

    def __repr__(self) -> str:
        return f"Path({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Path) and self._elems == other._elems

    def __hash__(self) -> int:
        return hash(self._elems)


class ErrorType(enum.Enum):
    """``field.ErrorType``: the value is the cause reason, ``str()`` the canonical text."""

    NOT_FOUND = "FieldValueNotFound"
    REQUIRED = "FieldValueRequired"
    DUPLICATE = "FieldValueDuplicate"
    INVALID = "FieldValueInvalid"
    NOT_SUPPORTED = "FieldValueNotSupported"
    FORBIDDEN = "FieldValueForbidden"
    TOO_LONG = "FieldValueTooLong"
    TOO_MANY = "FieldValueTooMany"
    TOO_FEW = "FieldValueTooFew"
    INTERNAL = "InternalError"
    TYPE_INVALID = "FieldValueTypeInvalid"
    TOO_SHORT = "FieldValueTooShort"

    @property
    def text(self) -> str:
        """``ErrorType.String()``: "Required value", "Invalid value", ..."""
        return _TYPE_TEXT[self]

    def __str__(self) -> str:
        return _TYPE_TEXT[self]


_TYPE_TEXT: Final[Mapping[ErrorType, str]] = {
    ErrorType.NOT_FOUND: "Not found",
    ErrorType.REQUIRED: "Required value",
    ErrorType.DUPLICATE: "Duplicate value",
    ErrorType.INVALID: "Invalid value",
    ErrorType.NOT_SUPPORTED: "Unsupported value",
    ErrorType.FORBIDDEN: "Forbidden",
    ErrorType.TOO_LONG: "Too long",
    ErrorType.TOO_MANY: "Too many",
    ErrorType.TOO_FEW: "Too few",
    ErrorType.INTERNAL: "Internal error",
    ErrorType.TYPE_INVALID: "Invalid value",
    ErrorType.TOO_SHORT: "Too short",
}

# Types whose body never shows the bad value (ErrorBody's first case).
_VALUE_HIDDEN: Final = frozenset(
    {
        ErrorType.REQUIRED,
        ErrorType.FORBIDDEN,
        ErrorType.TOO_LONG,
        ErrorType.TOO_SHORT,
        ErrorType.INTERNAL,
    }
)


class _OmitValue:
    """``field.omitValue``: a bad value that is not printed."""

    _instance: _OmitValue | None = None

    def __new__(cls) -> _OmitValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "OMIT_VALUE"


OMIT_VALUE: Final = _OmitValue()


@dataclass(frozen=True, slots=True)
class FieldError:
    """``field.Error``: one field-level validation problem."""

    type: ErrorType
    field: str
    bad_value: Any
    detail: str

    def error(self) -> str:
        """``Error.Error()``: ``<field>: <body>``."""
        return f"{self.field}: {self.error_body()}"

    def error_body(self) -> str:
        """``Error.ErrorBody()``: the message without the field name."""
        if self.type in _VALUE_HIDDEN or self.bad_value is OMIT_VALUE:
            s = self.type.text
        else:
            s = f"{self.type.text}: {_render_value(self.bad_value)}"
        if self.detail:
            s += f": {self.detail}"
        return s

    def cause(self) -> dict[str, str]:
        """The ``metav1.StatusCause`` that ``apierrors.NewInvalid`` builds (omitempty keys)."""
        out: dict[str, str] = {"reason": self.type.value}
        body = self.error_body()
        if body:
            out["message"] = body
        if self.field:
            out["field"] = self.field
        return out

    def __str__(self) -> str:
        return self.error()


ErrorList = list[FieldError]


class Struct(dict[str, Any]):
    """A bad value that Go would marshal as a struct: keys render in insertion order.

    Plain mappings render as Go maps do (keys sorted). Validators that report a whole
    struct (an ownerReference, say) build a ``Struct`` in the Go field order, leaving
    out ``omitempty`` fields.
    """


def _field(path: Path | None) -> str:
    return "<nil>" if path is None else str(path)


def required(path: Path | None, detail: str = "") -> FieldError:
    """``field.Required``."""
    return FieldError(ErrorType.REQUIRED, _field(path), "", detail)


def invalid(path: Path | None, value: Any, detail: str) -> FieldError:
    """``field.Invalid``."""
    return FieldError(ErrorType.INVALID, _field(path), value, detail)


def type_invalid(path: Path | None, value: Any, detail: str) -> FieldError:
    """``field.TypeInvalid``."""
    return FieldError(ErrorType.TYPE_INVALID, _field(path), value, detail)


def not_supported(path: Path | None, value: Any, valid_values: Sequence[str]) -> FieldError:
    """``field.NotSupported``: detail ``supported values: "a", "b"`` (empty if none given)."""
    detail = ""
    if valid_values:
        detail = "supported values: " + ", ".join(go_quote(str(v)) for v in valid_values)
    return FieldError(ErrorType.NOT_SUPPORTED, _field(path), value, detail)


def duplicate(path: Path | None, value: Any) -> FieldError:
    """``field.Duplicate``."""
    return FieldError(ErrorType.DUPLICATE, _field(path), value, "")


def not_found(path: Path | None, value: Any) -> FieldError:
    """``field.NotFound``."""
    return FieldError(ErrorType.NOT_FOUND, _field(path), value, "")


def forbidden(path: Path | None, detail: str) -> FieldError:
    """``field.Forbidden``."""
    return FieldError(ErrorType.FORBIDDEN, _field(path), "", detail)


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def too_long(path: Path | None, value: Any, max_length: int) -> FieldError:
    """``field.TooLong``: ``may not be more than N bytes``; the value is never shown."""
    del value  # upstream ignores it too
    if max_length >= 0:
        msg = f"may not be more than {max_length} {_plural(max_length, 'byte', 'bytes')}"
    else:
        msg = "value is too long"
    return FieldError(ErrorType.TOO_LONG, _field(path), "<value omitted>", msg)


def too_long_characters(path: Path | None, value: str, max_length: int) -> FieldError:
    """``field.TooLongCharacters``: ``may not be more than N characters``."""
    del value
    if max_length >= 0:
        unit = _plural(max_length, "character", "characters")
        msg = f"may not be more than {max_length} {unit}"
    else:
        msg = "value is too long"
    return FieldError(ErrorType.TOO_LONG, _field(path), "<value omitted>", msg)


def too_short(path: Path | None, value: str, min_length: int) -> FieldError:
    """``field.TooShort``: ``must be at least N characters``."""
    if min_length >= 0:
        unit = _plural(min_length, "character", "characters")
        msg = f"must be at least {min_length} {unit}"
    else:
        msg = "value is too short"
    return FieldError(ErrorType.TOO_SHORT, _field(path), value, msg)


def too_many(path: Path | None, actual_quantity: int, max_quantity: int) -> FieldError:
    """``field.TooMany``: a negative actual quantity is omitted from the message."""
    if max_quantity >= 0:
        msg = f"must have at most {max_quantity} {_plural(max_quantity, 'item', 'items')}"
    else:
        msg = "has too many items"
    actual: Any = actual_quantity if actual_quantity >= 0 else OMIT_VALUE
    return FieldError(ErrorType.TOO_MANY, _field(path), actual, msg)


def too_few(path: Path | None, actual_quantity: int, min_quantity: int) -> FieldError:
    """``field.TooFew``."""
    if min_quantity >= 0:
        msg = f"must have at least {min_quantity} {_plural(min_quantity, 'item', 'items')}"
    else:
        msg = "has too few items"
    return FieldError(ErrorType.TOO_FEW, _field(path), actual_quantity, msg)


def internal(path: Path | None, err: BaseException | str) -> FieldError:
    """``field.InternalError``: the detail is the error's message."""
    msg = str(err)
    return FieldError(ErrorType.INTERNAL, _field(path), msg, msg)


def to_aggregate(errors: Iterable[FieldError]) -> ErrorList:
    """``ErrorList.ToAggregate()``: drop errors whose full message repeats an earlier one."""
    seen: set[str] = set()
    out: ErrorList = []
    for e in errors:
        msg = e.error()
        if msg not in seen:
            seen.add(msg)
            out.append(e)
    return out


def aggregate_message(errors: Iterable[FieldError]) -> str:
    """``ErrorList.ToAggregate().Error()``: one error bare, several as ``[a, b]``.

    Returns ``""`` for no errors (upstream's aggregate is then nil).
    """
    msgs = [e.error() for e in to_aggregate(errors)]
    if not msgs:
        return ""
    if len(msgs) == 1:
        return msgs[0]
    return "[" + ", ".join(msgs) + "]"


def invalid_message(qualified_kind: str, name: str, errors: Iterable[FieldError]) -> str:
    """``apierrors.NewInvalid(...).Error()``: ``Pod "x" is invalid: <aggregate>``."""
    agg = aggregate_message(errors)
    head = f"{qualified_kind} {go_quote(name)} is invalid"
    return f"{head}: {agg}" if agg else head


# --- value rendering (Go's %v / %q / encoding/json) -------------------------------------


def _render_value(value: Any) -> str:
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_fmt_float(value)
    return _go_json(value)


def go_quote(s: str) -> str:
    """Go's ``strconv.Quote`` (the ``%q`` verb) for a string."""
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        else:
            cp = ord(ch)
            if cp < 0x20 or cp == 0x7F:
                out.append(f"\\x{cp:02x}")
            elif 0xD800 <= cp <= 0xDFFF:
                out.append("\\ufffd")
            elif cp < 0x10000:
                out.append(f"\\u{cp:04x}")
            else:
                out.append(f"\\U{cp:08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
}


def _shortest_digits(f: float) -> tuple[str, int]:
    """Shortest round-trip decimal digits of ``abs(f)`` and the decimal point position."""
    t = decimal.Decimal(repr(abs(f))).as_tuple()
    digits = "".join(map(str, t.digits))
    exponent = int(t.exponent)
    stripped = digits.rstrip("0")
    exponent += len(digits) - len(stripped)
    stripped = stripped.lstrip("0") or "0"
    return stripped, len(stripped) + exponent


def _go_fmt_float(f: float) -> str:
    """Go's ``%v`` for a float64 (``strconv.FormatFloat(f, 'g', -1, 64)``)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    digits, dp = _shortest_digits(f)
    sign = "-" if f < 0 else ""
    exp = dp - 1
    if exp < -4 or exp >= 6:  # %v is %g with the shortest digits and eprec 6
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    return sign + _fixed(digits, dp)


def _fixed(digits: str, dp: int) -> str:
    if dp <= 0:
        return f"0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return f"{digits[:dp]}.{digits[dp:]}"


def _go_json_float(f: float) -> str:
    """``encoding/json``'s float64 form."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    digits, dp = _shortest_digits(f)
    sign = "-" if f < 0 else ""
    a = abs(f)
    if a < 1e-6 or a >= 1e21:
        exp = dp - 1
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp)}"
    return sign + _fixed(digits, dp)


def _go_json_string(s: str) -> str:
    out = ['"']
    for ch in s:
        cp = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif cp < 0x20 or ch in "<>&" or cp in (0x2028, 0x2029):
            out.append(f"\\u{cp:04x}")
        elif 0xD800 <= cp <= 0xDFFF:
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _go_json(value: Any) -> str:
    """``encoding/json.Marshal`` of a wire-form value: sorted keys, no spaces, HTML-safe."""
    if value is None:
        return "null"
    if isinstance(value, str):
        return _go_json_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_json_float(value)
    if isinstance(value, Struct):
        return "{" + ",".join(f"{_go_json_string(k)}:{_go_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Mapping):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_go_json_string(k)}:{_go_json(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_go_json(v) for v in value) + "]"
    return str(value)
