"""Label selectors: parse, match and print them exactly as Kubernetes does.

Every list and watch with ``labelSelector``, every workload's ``spec.selector``, the
scheduler's affinity terms and ``kubectl -l`` go through this one implementation, so a
selector that kube-apiserver rejects is rejected here with the same message, and one it
accepts prints back in the same canonical form.

Follows ``k8s.io/apimachinery/pkg/labels/selector.go`` (``Requirement``,
``NewRequirement``, the lexer and parser, ``internalSelector.String``),
``k8s.io/apimachinery/pkg/selection/operator.go`` and ``LabelSelectorAsSelector`` in
``k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go``, read at v0.37.0-beta.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from mlkube.api import field, validation
from mlkube.api.field import ErrorList, Path

__all__ = [
    "BINARY_OPERATORS",
    "DOES_NOT_EXIST",
    "DOUBLE_EQUALS",
    "EQUALS",
    "EXISTS",
    "GREATER_THAN",
    "IN",
    "LESS_THAN",
    "NOT_EQUALS",
    "NOT_IN",
    "Requirement",
    "Selector",
    "SelectorError",
    "everything",
    "new_requirement",
    "nothing",
    "parse_selector",
    "selector_from_label_selector",
    "selector_from_set",
]

# selection.Operator values.
DOES_NOT_EXIST: Final = "!"
EQUALS: Final = "="
DOUBLE_EQUALS: Final = "=="
IN: Final = "in"
NOT_EQUALS: Final = "!="
NOT_IN: Final = "notin"
EXISTS: Final = "exists"
GREATER_THAN: Final = "gt"
LESS_THAN: Final = "lt"

BINARY_OPERATORS: Final = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)
_UNARY_OPERATORS: Final = (EXISTS, DOES_NOT_EXIST)
_VALID_OPERATORS: Final = BINARY_OPERATORS + _UNARY_OPERATORS


class SelectorError(ValueError):
    """A selector kube-apiserver would reject; ``str()`` is upstream's error text.

    ``errors`` holds the field errors when the failure came from ``NewRequirement``.
    """

    def __init__(self, message: str, errors: ErrorList | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: ErrorList = list(errors or [])


_INT64_RE: Final = re.compile(r"[+-]?[0-9]+")


def _parse_int64(s: str) -> int | None:
    """``strconv.ParseInt(s, 10, 64)``, or ``None`` where Go returns an error."""
    if not _INT64_RE.fullmatch(s):
        return None
    n = int(s)
    return n if -(1 << 63) <= n < (1 << 63) else None


@dataclass(frozen=True, slots=True)
class Requirement:
    """``labels.Requirement``: a key, an operator and values (kept in the given order)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """``Requirement.Matches``."""
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (GREATER_THAN, LESS_THAN):
            if self.key not in labels or len(self.values) != 1:
                return False
            have = _parse_int64(labels[self.key])
            want = _parse_int64(self.values[0])
            if have is None or want is None:
                return False
            return have > want if op == GREATER_THAN else have < want
        return False

    def __str__(self) -> str:
        """``Requirement.String``: values sorted, ``in``/``notin`` with parentheses."""
        op = self.operator
        head = ("!" if op == DOES_NOT_EXIST else "") + self.key
        if op in (EXISTS, DOES_NOT_EXIST):
            return head
        sep = _OPERATOR_TEXT.get(op, "")
        vals = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            vals = f"({vals})"
        return head + sep + vals


_OPERATOR_TEXT: Final = {
    EQUALS: "=",
    DOUBLE_EQUALS: "==",
    NOT_EQUALS: "!=",
    IN: " in ",
    NOT_IN: " notin ",
    GREATER_THAN: ">",
    LESS_THAN: "<",
}


def _child(path: Path | None, name: str) -> Path:
    return Path(name) if path is None else path.child(name)


def _validate_label_key(key: str, path: Path | None) -> field.FieldError | None:
    errs = validation.is_qualified_name(key)
    return field.invalid(path, key, "; ".join(errs)) if errs else None


def _validate_label_value(key: str, value: str, path: Path) -> field.FieldError | None:
    errs = validation.is_valid_label_value(value)
    return field.invalid(path.key(key), value, "; ".join(errs)) if errs else None


def new_requirement(
    key: str, operator: str, values: Sequence[str] | None, path: Path | None = None
) -> Requirement:
    """``labels.NewRequirement``: validate and build, or raise :class:`SelectorError`.

    ``values=None`` stands for Go's nil slice (printed ``null`` in errors); an empty
    list prints ``[]``.
    """
    vals = list(values or [])
    bad_vals: Any = None if values is None else vals
    errs: ErrorList = []
    if (e := _validate_label_key(key, _child(path, "key"))) is not None:
        errs.append(e)
    values_path = _child(path, "values")
    if operator in (IN, NOT_IN):
        if not vals:
            errs.append(
                field.invalid(
                    values_path, bad_vals, "for 'in', 'notin' operators, values set can't be empty"
                )
            )
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(vals) != 1:
            errs.append(
                field.invalid(
                    values_path, bad_vals, "exact-match compatibility requires one single value"
                )
            )
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if vals:
            errs.append(
                field.invalid(
                    values_path, bad_vals, "values set must be empty for exists and does not exist"
                )
            )
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1:
            errs.append(
                field.invalid(
                    values_path,
                    bad_vals,
                    "for 'Gt', 'Lt' operators, exactly one value is required",
                )
            )
        for i, v in enumerate(vals):
            if _parse_int64(v) is None:
                errs.append(
                    field.invalid(
                        values_path.index(i),
                        v,
                        "for 'Gt', 'Lt' operators, the value must be an integer",
                    )
                )
    else:
        errs.append(field.not_supported(_child(path, "operator"), operator, _VALID_OPERATORS))
    for i, v in enumerate(vals):
        if (e := _validate_label_value(key, v, values_path.index(i))) is not None:
            errs.append(e)
    if errs:
        raise SelectorError(field.aggregate_message(errs), errs)
    return Requirement(key, operator, tuple(vals))


class Selector:
    """``labels.Selector``: requirements ANDed, kept sorted by key.

    Build with :func:`parse_selector`, :func:`selector_from_label_selector`,
    :func:`everything` or :func:`nothing`; selectors are immutable.
    """

    __slots__ = ("_nothing", "_reqs")

    def __init__(self, requirements: Iterable[Requirement] = (), *, _nothing: bool = False):
        self._reqs: tuple[Requirement, ...] = tuple(sorted(requirements, key=lambda r: r.key))
        self._nothing = _nothing

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """The requirements in key order (empty for :func:`nothing`)."""
        return self._reqs

    @property
    def selectable(self) -> bool:
        """False only for :func:`nothing` (upstream's second ``Requirements()`` result)."""
        return not self._nothing

    def matches(self, labels: Mapping[str, str]) -> bool:
        """True when every requirement matches; :func:`nothing` matches no labels."""
        if self._nothing:
            return False
        return all(r.matches(labels) for r in self._reqs)

    def empty(self) -> bool:
        """True when the selector does not restrict anything (``Everything``)."""
        return not self._nothing and not self._reqs

    def add(self, *requirements: Requirement) -> Selector:
        """``Selector.Add``: a new selector with more requirements."""
        if self._nothing:
            return self
        return Selector((*self._reqs, *requirements))

    def requires_exact_match(self, label: str) -> str | None:
        """``RequiresExactMatch``: the single value the first requirement on label demands."""
        for r in self._reqs:
            if r.key == label:
                if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1:
                    return r.values[0]
                return None
        return None

    def __str__(self) -> str:
        return ",".join(str(r) for r in self._reqs)

    def __repr__(self) -> str:
        return "Selector(<nothing>)" if self._nothing else f"Selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Selector)
            and self._nothing == other._nothing
            and self._reqs == other._reqs
        )

    def __hash__(self) -> int:
        return hash((self._nothing, self._reqs))


_EVERYTHING: Final = Selector()
_NOTHING: Final = Selector(_nothing=True)


def everything() -> Selector:
    """``labels.Everything()``: matches all labels."""
    return _EVERYTHING


def nothing() -> Selector:
    """``labels.Nothing()``: matches no labels; prints as ``""``."""
    return _NOTHING


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """``SelectorFromSet``: ``k=v`` for each pair, unvalidated; empty means everything."""
    if not labels:
        return _EVERYTHING
    return Selector(Requirement(k, EQUALS, (v,)) for k, v in labels.items())


# --- lexer (selector.go Lexer) ----------------------------------------------------------

_ERROR, _EOS, _CPAR, _COMMA, _NOT, _DEQ, _EQ, _GT, _ID, _IN, _LT, _NEQ, _NOTIN, _OPAR = range(14)

_STRING_TO_TOKEN: Final = {
    ")": _CPAR,
    ",": _COMMA,
    "!": _NOT,
    "==": _DEQ,
    "=": _EQ,
    ">": _GT,
    "in": _IN,
    "<": _LT,
    "!=": _NEQ,
    "notin": _NOTIN,
    "(": _OPAR,
}
_SPECIAL: Final = frozenset("=!(),><")
_WHITESPACE: Final = frozenset(" \t\r\n")
_NUL: Final = "\x00"


class _Lexer:
    def __init__(self, s: str) -> None:
        self.s = s
        self.pos = 0

    def read(self) -> str:
        # Go returns byte 0 at the end; a NUL in the input reads the same way.
        if self.pos < len(self.s):
            ch = self.s[self.pos]
            self.pos += 1
            return ch
        return _NUL

    def unread(self) -> None:
        self.pos -= 1

    def scan_id_or_keyword(self) -> tuple[int, str]:
        buf: list[str] = []
        while True:
            ch = self.read()
            if ch == _NUL:
                break
            if ch in _SPECIAL or ch in _WHITESPACE:
                self.unread()
                break
            buf.append(ch)
        s = "".join(buf)
        return _STRING_TO_TOKEN.get(s, _ID), s

    def scan_special_symbol(self) -> tuple[int, str]:
        last: tuple[int, str] = (_ERROR, "")
        buf = ""
        while True:
            ch = self.read()
            if ch == _NUL:
                break
            if ch in _SPECIAL:
                buf += ch
                if buf in _STRING_TO_TOKEN:
                    last = (_STRING_TO_TOKEN[buf], buf)
                elif last[0] != _ERROR:
                    self.unread()
                    break
            else:
                self.unread()
                break
        if last[0] == _ERROR:
            return _ERROR, f"error expected: keyword found '{buf}'"
        return last

    def lex(self) -> tuple[int, str]:
        ch = self.read()
        while ch in _WHITESPACE:
            ch = self.read()
        if ch == _NUL:
            return _EOS, ""
        self.unread()
        if ch in _SPECIAL:
            return self.scan_special_symbol()
        return self.scan_id_or_keyword()


# --- parser (selector.go Parser) --------------------------------------------------------

_KEY_AND_OPERATOR, _VALUES = 0, 1


class _Parser:
    def __init__(self, s: str, path: Path | None) -> None:
        self.path = path
        self.items: list[tuple[int, str]] = []
        lexer = _Lexer(s)
        while True:
            tok = lexer.lex()
            self.items.append(tok)
            if tok[0] == _EOS:
                break
        self.position = 0

    def lookahead(self, context: int) -> tuple[int, str]:
        tok, lit = self.items[self.position]
        if context == _VALUES and tok in (_IN, _NOTIN):
            tok = _ID
        return tok, lit

    def consume(self, context: int) -> tuple[int, str]:
        self.position += 1
        tok, lit = self.items[self.position - 1]
        if context == _VALUES and tok in (_IN, _NOTIN):
            tok = _ID
        return tok, lit

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self.lookahead(_VALUES)
            if tok in (_ID, _NOT):
                try:
                    reqs.append(self.parse_requirement())
                except SelectorError as err:
                    raise SelectorError(
                        f"unable to parse requirement: {err.message}", err.errors
                    ) from None
                t, lit2 = self.consume(_VALUES)
                if t == _EOS:
                    return reqs
                if t == _COMMA:
                    t2, lit3 = self.lookahead(_VALUES)
                    if t2 not in (_ID, _NOT):
                        raise SelectorError(f"found '{lit3}', expected: identifier after ','")
                else:
                    raise SelectorError(f"found '{lit2}', expected: ',' or 'end of string'")
            elif tok == _EOS:
                return reqs
            else:
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def parse_requirement(self) -> Requirement:
        key, operator = self.parse_key_and_infer_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return new_requirement(key, operator, [], self.path)
        operator = self.parse_operator()
        values = self.parse_values() if operator in (IN, NOT_IN) else self.parse_exact_value()
        return new_requirement(key, operator, sorted(values), self.path)

    def parse_key_and_infer_operator(self) -> tuple[str, str]:
        operator = ""
        tok, lit = self.consume(_VALUES)
        if tok == _NOT:
            operator = DOES_NOT_EXIST
            tok, lit = self.consume(_VALUES)
        if tok != _ID:
            raise SelectorError(f"found '{lit}', expected: identifier")
        if (e := _validate_label_key(lit, self.path)) is not None:
            raise SelectorError(e.error(), [e])
        if self.lookahead(_VALUES)[0] in (_EOS, _COMMA) and operator != DOES_NOT_EXIST:
            operator = EXISTS
        return lit, operator

    def parse_operator(self) -> str:
        tok, lit = self.consume(_KEY_AND_OPERATOR)
        op = _TOKEN_TO_OPERATOR.get(tok)
        if op is None:
            raise SelectorError(f"found '{lit}', expected: {', '.join(BINARY_OPERATORS)}")
        return op

    def parse_values(self) -> set[str]:
        tok, lit = self.consume(_VALUES)
        if tok != _OPAR:
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead(_VALUES)
        if tok in (_ID, _COMMA):
            s = self.parse_identifiers_list()
            if self.consume(_VALUES)[0] != _CPAR:
                raise SelectorError(f"found '{lit}', expected: ')'")
            return s
        if tok == _CPAR:
            self.consume(_VALUES)
            return {""}
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        s: set[str] = set()
        while True:
            tok, lit = self.consume(_VALUES)
            if tok == _ID:
                s.add(lit)
                tok2, lit2 = self.lookahead(_VALUES)
                if tok2 == _COMMA:
                    continue
                if tok2 == _CPAR:
                    return s
                raise SelectorError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _COMMA:
                if not s:
                    s.add("")  # "(,"
                tok2, _ = self.lookahead(_VALUES)
                if tok2 == _CPAR:
                    s.add("")  # ",)"
                    return s
                if tok2 == _COMMA:
                    s.add("")  # ",,"
            else:
                raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def parse_exact_value(self) -> set[str]:
        tok, _ = self.lookahead(_VALUES)
        if tok in (_EOS, _COMMA):
            return {""}
        tok, lit = self.consume(_VALUES)
        if tok == _ID:
            return {lit}
        raise SelectorError(f"found '{lit}', expected: identifier")


_TOKEN_TO_OPERATOR: Final = {
    _IN: IN,
    _EQ: EQUALS,
    _DEQ: DOUBLE_EQUALS,
    _GT: GREATER_THAN,
    _LT: LESS_THAN,
    _NOTIN: NOT_IN,
    _NEQ: NOT_EQUALS,
}


def parse_selector(selector: str, path: Path | None = None) -> Selector:
    """``labels.Parse``: the ``labelSelector`` string form, or :class:`SelectorError`.

    Grammar: comma-separated requirements, each ``[!]key``, ``key [=|==|!=] value``,
    ``key in|notin (v1,v2)`` or ``key >|< integer``; whitespace is free around tokens.
    """
    return Selector(_Parser(selector, path).parse())


# metav1.LabelSelectorOperator -> selection.Operator
_LABEL_SELECTOR_OPERATORS: Final = {
    "In": IN,
    "NotIn": NOT_IN,
    "Exists": EXISTS,
    "DoesNotExist": DOES_NOT_EXIST,
}


def selector_from_label_selector(selector: Mapping[str, Any] | None) -> Selector:
    """``metav1.LabelSelectorAsSelector``: ``None`` selects nothing, ``{}`` everything.

    ``matchLabels`` are visited in key order (Go visits its map in random order, which
    only matters for which error is reported first).
    """
    if selector is None:
        return _NOTHING
    match_labels: Mapping[str, str] = selector.get("matchLabels") or {}
    expressions: Sequence[Mapping[str, Any]] = selector.get("matchExpressions") or []
    if not match_labels and not expressions:
        return _EVERYTHING
    reqs: list[Requirement] = []
    for k in sorted(match_labels):
        reqs.append(new_requirement(k, EQUALS, [match_labels[k]]))
    for expr in expressions:
        op_name = expr.get("operator") or ""
        op = _LABEL_SELECTOR_OPERATORS.get(op_name)
        if op is None:
            raise SelectorError(f"{field.go_quote(op_name)} is not a valid label selector operator")
        values = expr.get("values")
        reqs.append(new_requirement(expr.get("key") or "", op, list(values) if values else None))
    return Selector(reqs)
