"""Manifests as a reviewer reads them: objects with the file and line they came from.

``mlkube lint -f`` takes files, directories and stdin; a finding must point back at the
document it is about (SARIF ``region.startLine``), so manifests are composed node by node
with PyYAML (C loader when built) rather than ``safe_load_all``, keeping each document's
start mark. ``kind: List`` (and ``*List``) documents are flattened item by item, as
``kubectl apply -f`` does (``k8s.io/cli-runtime/pkg/resource/visitor.go``,
``FileVisitor``/``StreamVisitor``); directories are walked for ``*.yaml``, ``*.yml`` and
``*.json`` in sorted order (``ExpandPathsToFileVisitors``, recursive as ``-R``). A document
that cannot be parsed is a :class:`ManifestError` naming the file and line, never a
traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["STDIN", "Manifest", "ManifestError", "expand_paths", "parse_manifests", "read_paths"]

#: How standard input is named in findings (``-f -``).
STDIN = "<stdin>"
_EXTENSIONS = (".yaml", ".yml", ".json")
_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ManifestError(ValueError):
    """A file that is not a stream of Kubernetes objects: ``file:line: problem``."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = file if line is None else f"{file}:{line}"
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class Manifest:
    """One object to lint, and where it was written (``file``/``line`` None when live)."""

    obj: Mapping[str, Any]
    file: str | None = None
    line: int | None = None
    index: int = field(default=0, compare=False)

    @property
    def kind(self) -> str:
        return str(self.obj.get("kind") or "")

    @property
    def name(self) -> str:
        meta = self.obj.get("metadata") or {}
        return str(meta.get("name") or meta.get("generateName") or "")

    def namespace(self, default: str) -> str:
        """The object's namespace, or the one it would be created in (``-n``)."""
        return str((self.obj.get("metadata") or {}).get("namespace") or default)


def _items_nodes(node: yaml.Node) -> list[yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if getattr(key, "value", None) == "items" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return None


def _is_list(obj: Mapping[str, Any]) -> bool:
    kind = str(obj.get("kind") or "")
    return kind.endswith("List") and isinstance(obj.get("items"), list)


def _check_object(obj: Any, file: str, line: int) -> Mapping[str, Any]:
    if not isinstance(obj, dict):
        raise ManifestError(file, line, f"not a Kubernetes object: a {type(obj).__name__}")
    if not obj.get("kind") or not obj.get("apiVersion"):
        raise ManifestError(file, line, "not a Kubernetes object: apiVersion and kind are required")
    return obj


def parse_manifests(text: str, file: str) -> list[Manifest]:
    """Every object in a (multi-document) YAML or JSON text, Lists flattened, in order."""
    loader = _Loader(text)
    result: list[Manifest] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            line = node.start_mark.line + 1
            obj = loader.construct_document(node)
            if obj is None:
                continue
            if isinstance(obj, dict) and _is_list(obj):
                item_nodes = _items_nodes(node) or []
                for i, item in enumerate(obj["items"]):
                    item_line = item_nodes[i].start_mark.line + 1 if i < len(item_nodes) else line
                    result.append(Manifest(_check_object(item, file, item_line), file, item_line))
                continue
            result.append(Manifest(_check_object(obj, file, line), file, line))
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problem = err.problem or err.context or "invalid YAML"
        raise ManifestError(file, None if mark is None else mark.line + 1, problem) from None
    except yaml.YAMLError as err:
        raise ManifestError(file, None, str(err)) from None
    finally:
        loader.dispose()
    return result


def expand_paths(paths: Iterable[str]) -> Iterator[str]:
    """Files as given, directories walked recursively for manifests in sorted order."""
    for raw in paths:
        if raw == "-":
            yield raw
            continue
        path = Path(raw)
        if path.is_dir():
            found = (p for p in path.rglob("*") if p.suffix in _EXTENSIONS and p.is_file())
            yield from (str(p) for p in sorted(found))
        elif path.exists():
            yield raw
        else:
            raise ManifestError(raw, None, "no such file or directory")


def read_paths(paths: Iterable[str], stdin: str | None = None) -> list[Manifest]:
    """Read and parse every path (``-`` is standard input, or ``stdin`` when given)."""
    result: list[Manifest] = []
    for path in expand_paths(paths):
        if path == "-":
            text, name = (sys.stdin.read() if stdin is None else stdin), STDIN
        else:
            name = path
            try:
                text = Path(path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise ManifestError(path, None, f"cannot read: {err}") from None
        result.extend(parse_manifests(text, name))
    return [Manifest(m.obj, m.file, m.line, index) for index, m in enumerate(result)]
