"""Check decoded YAML against a msgspec Struct type and report every problem, not the first.

``msgspec.convert`` stops at the first mismatch; a user fixing a spec wants all of them, each
with its path, as kube-apiserver's strict field validation lists every unknown field
(``k8s.io/apimachinery/pkg/util/strictdecoding``). This walks the type information
(``msgspec.inspect``) next to the data, collects one :class:`Problem` per mistake (unknown
key with a suggestion, missing field, wrong type, unsupported value, bad quantity or
duration), and returns the data normalised (YAML numbers given for quantities become strings)
so that ``msgspec.convert`` then succeeds.
"""

from __future__ import annotations

import difflib
from typing import Any

import msgspec.inspect as mi

from mlkube.api.quantity import QuantityError, parse_quantity
from mlkube.api.timestamps import DurationError, parse_duration
from mlkube.platform.problems import Problem, child, index

__all__ = ["check"]

RULE = "schema"

_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    dict: "a mapping",
    type(None): "null",
}


def _got(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _go_quote(value: Any) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def check(raw: Any, cls: type) -> tuple[Any, list[Problem]]:
    """``raw`` checked against ``cls``: the normalised data and every problem found."""
    problems: list[Problem] = []
    normalized = _walk(raw, mi.type_info(cls), "", problems)
    return normalized, problems


def _walk(value: Any, t: mi.Type, path: str, out: list[Problem]) -> Any:
    if isinstance(t, mi.Metadata):
        return _scalar_kind(value, t, path, out)
    if isinstance(t, mi.UnionType):
        if value is None and any(isinstance(m, mi.NoneType) for m in t.types):
            return None
        others = [m for m in t.types if not isinstance(m, mi.NoneType)]
        return _walk(value, others[0], path, out)
    if isinstance(t, mi.StructType):
        return _struct(value, t, path, out)
    if isinstance(t, mi.DictType):
        if not isinstance(value, dict):
            return _wrong(value, "a mapping", path, out)
        result: dict[Any, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                out.append(Problem(RULE, child(path, str(key)), "keys must be strings (quote it)"))
                continue
            result[key] = _walk(item, t.value_type, child(path, key), out)
        return result
    if isinstance(t, mi.ListType):
        if not isinstance(value, list):
            return _wrong(value, "a list", path, out)
        return [_walk(item, t.item_type, index(path, i), out) for i, item in enumerate(value)]
    if isinstance(t, mi.LiteralType):
        if value not in t.values:
            supported = ", ".join(_go_quote(v) for v in t.values)
            msg = f"Unsupported value: {_go_quote(value)}: supported values: {supported}"
            out.append(Problem(RULE, path, msg))
        return value
    if isinstance(t, mi.StrType):
        if not isinstance(value, str):
            return _wrong(value, "a string", path, out, quote=True)
        return value
    if isinstance(t, mi.BoolType):
        if not isinstance(value, bool):
            return _wrong(value, "a boolean (true or false)", path, out)
        return value
    if isinstance(t, mi.IntType):
        if isinstance(value, bool) or not isinstance(value, int):
            return _wrong(value, "an integer", path, out)
        if t.ge is not None and value < t.ge:
            out.append(Problem(RULE, path, f"must be greater than or equal to {t.ge}"))
        return value
    return value  # pragma: no cover - the spec uses no other types


def _wrong(value: Any, want: str, path: str, out: list[Problem], *, quote: bool = False) -> Any:
    hint = " (quote it)" if quote and isinstance(value, bool | int | float) else ""
    out.append(Problem(RULE, path, f"expected {want}, got {_got(value)}{hint}"))
    return value


def _struct(value: Any, t: mi.StructType, path: str, out: list[Problem]) -> Any:
    if not isinstance(value, dict):
        return _wrong(value, "a mapping", path, out)
    fields = {f.encode_name: f for f in t.fields}
    result: dict[str, Any] = {}
    for key, item in value.items():
        field = fields.get(key) if isinstance(key, str) else None
        if field is None:
            near = difflib.get_close_matches(str(key), list(fields), n=1)
            fix = f'did you mean "{near[0]}"?' if near else f"known fields: {', '.join(fields)}"
            out.append(Problem(RULE, child(path, str(key)), "unknown field", fix))
            continue
        result[key] = _walk(item, field.type, child(path, key), out)
    for name, field in fields.items():
        if field.required and name not in value:
            out.append(Problem(RULE, child(path, name), "Required value"))
    return result


def _scalar_kind(value: Any, t: mi.Metadata, path: str, out: list[Problem]) -> Any:
    kind = (t.extra or {}).get("kind")
    if kind == "quantity":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return _wrong(value, "a quantity", path, out)
        text = str(value)
        try:
            parse_quantity(text)
        except QuantityError:
            out.append(Problem(RULE, path, f"{_go_quote(text)} is not a valid quantity"))
        return text
    if kind == "duration":
        if not isinstance(value, str):
            return _wrong(value, "a duration such as 30m or 24h", path, out)
        try:
            parsed = parse_duration(value)
        except DurationError:
            out.append(
                Problem(RULE, path, f"{_go_quote(value)} is not a valid duration", "use 30m, 24h")
            )
            return value
        if parsed.total_seconds() <= 0:
            out.append(Problem(RULE, path, f"{_go_quote(value)} must be positive"))
        return value
    return _walk(value, t.type, path, out)
