"""An ``application/apply-patch+yaml`` body read as kube-apiserver reads it, errors included.

``handlers/patch.go`` ``validateAndTranscodePatch`` turns the body into JSON with
``sigs.k8s.io/yaml`` ``ToJSON``, which unmarshals it with ``go.yaml.in/yaml/v2``: only the
first document counts, a repeated key keeps its last value, a key that is not a string
becomes one, a timestamp stays a string, and a malformed body is 400
``error encoding patch: yaml: line N: <problem>``. go-yaml is a port of libyaml, as is
PyYAML's C loader, so the problem is the same sentence; the line is go-yaml's
(``decode.go`` ``parser.fail``): the problem's 0-based line, plus one for a scanner error
only, else the context's 0-based line, and no line at all when that is 0. An alias to an
anchor never defined is ``yaml: unknown anchor 'x' referenced``.
"""

from __future__ import annotations

import re
from typing import Any, Final

import yaml

from mlkube.engine.errors import BadRequest

__all__ = ["go_yaml_error", "load_apply_yaml"]

_TRUE: Final = frozenset({"y", "yes", "true", "on"})


def _json_key(key: Any) -> Any:
    """``convertToJSONableObject``: a key that is not a string becomes one (``1``: "1",
    ``true``: "true")."""
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        return str(key)
    return key


def _construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)  # merge keys (<<), as SafeConstructor does
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = _json_key(loader.construct_object(key_node, deep=deep))
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


#: The safe loader, read as go-yaml v2 reads into ``interface{}``: keys made strings as they
#: are built (so ``true`` and ``1`` stay two keys), a timestamp and ``=`` kept as text, and
#: ``y``/``n`` booleans (YAML 1.1, ``resolve.go``).
_LOADER: Final[Any] = type(
    "_GoYamlLoader",
    (getattr(yaml, "CSafeLoader", yaml.SafeLoader),),
    {"construct_mapping": _construct_mapping},
)
for _tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:value"):
    _LOADER.add_constructor(_tag, lambda loader, node: loader.construct_scalar(node))
_LOADER.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:y|Y|n|N)$"), list("yYnN"))
_LOADER.add_constructor(
    "tag:yaml.org,2002:bool", lambda loader, node: loader.construct_scalar(node).lower() in _TRUE
)
#: go-yaml's reader errors for bytes that are not UTF-8, by Python's reason.
_UTF8: Final = {
    "invalid start byte": "invalid leading UTF-8 octet",
    "invalid continuation byte": "invalid trailing UTF-8 octet",
    "unexpected end of data": "incomplete UTF-8 octet sequence",
}
_PREFIX: Final = "error encoding patch: "
_UNKNOWN: Final = "unknown problem parsing YAML content"
#: An alias: ``*`` and the anchor's name, up to a blank or a flow indicator.
_ALIAS: Final = re.compile(r"\*([^\s,\[\]{}]+)")


def _line(err: yaml.MarkedYAMLError) -> int:
    problem, context = err.problem_mark, err.context_mark
    if problem is not None and problem.line != 0:
        return int(problem.line) + (1 if isinstance(err, yaml.scanner.ScannerError) else 0)
    if context is not None and context.line != 0:
        return int(context.line)
    return 0


def go_yaml_error(err: yaml.YAMLError, text: str) -> str:
    """What ``yaml.Unmarshal`` (go.yaml.in/yaml/v2) says about the body ``text`` that made
    PyYAML raise ``err``."""
    if isinstance(err, yaml.reader.ReaderError):
        return "yaml: control characters are not allowed"
    if not isinstance(err, yaml.MarkedYAMLError):
        return f"yaml: {_UNKNOWN}"
    if isinstance(err, yaml.composer.ComposerError) and err.problem_mark is not None:
        found = _ALIAS.match(text, err.problem_mark.index)
        if found is not None and "alias" in (err.problem or ""):
            return f"yaml: unknown anchor '{found.group(1)}' referenced"
    line = _line(err)
    where = f"line {line}: " if line else ""
    return f"yaml: {where}{err.problem or _UNKNOWN}"


def load_apply_yaml(data: bytes | str) -> Any:
    """The body's first YAML document (``None`` when there is none); 400 with go-yaml's
    words when it is malformed."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            problem = _UTF8.get(err.reason, "invalid leading UTF-8 octet")
            raise BadRequest(f"{_PREFIX}yaml: {problem}") from None
    else:
        text = data
    try:
        for document in yaml.load_all(text, Loader=_LOADER):
            return document
        return None
    except yaml.YAMLError as err:
        raise BadRequest(_PREFIX + go_yaml_error(err, text)) from None
