"""Workloads from YAML (``mlkube submit -f``) and from command-line flags (``mlkube train``).

Both ways end in the same place: a document checked for shape with every problem at once
(:func:`mlkube.platform.shape.check`, as the platform spec is), converted to its Struct, then
checked by :func:`mlkube.platform.workloads.validate.validate`, so a flag and a YAML field
get the same message. Paths are the YAML's (``spec.resources.gpu``); in a file of several
documents they start with the document (``documents[1].spec.image``). The two fields whose
type is a union of scalars (``params``, ``minAvailable``) are checked here, since the shape
check does not know such unions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import msgspec

from mlkube.platform.problems import Problem, SpecError, index
from mlkube.platform.shape import check
from mlkube.platform.spec import parse_documents
from mlkube.platform.workloads import params as params_
from mlkube.platform.workloads.model import (
    API_VERSION,
    KINDS,
    InferenceService,
    PreprocessingJob,
    Sweep,
    TrainingJob,
    Workload,
)
from mlkube.platform.workloads.validate import validate

__all__ = ["ALIASES", "build", "load_file", "loads", "to_builtins"]

_CLASSES: Final[dict[str, type[Workload]]] = {
    "TrainingJob": TrainingJob,
    "Sweep": Sweep,
    "PreprocessingJob": PreprocessingJob,
    "InferenceService": InferenceService,
}
#: What :func:`build` also accepts as a kind: the command-line verbs.
ALIASES: Final = {
    "train": "TrainingJob",
    "sweep": "Sweep",
    "preprocess": "PreprocessingJob",
    "serve": "InferenceService",
}
#: Spec fields whose type is a union of scalars, shape-checked here.
_UNION_FIELDS: Final = ("params", "minAvailable")
_RESOURCE_FIELDS: Final = ("gpu", "gpu_type", "cpu", "memory")


def _prefixed(problems: list[Problem], prefix: str) -> list[Problem]:
    if not prefix:
        return problems
    return [
        Problem(p.rule, f"{prefix}.{p.path}" if p.path else prefix, p.message, p.fix, p.severity)
        for p in problems
    ]


def _min_available_problems(value: Any) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return [
            Problem(
                "schema",
                "spec.minAvailable",
                "expected a number of pods or a percentage",
                "e.g. 1 or 50%",
            )
        ]
    return []


def _convert(raw: Any) -> tuple[Workload | None, list[Problem]]:
    """One decoded document as a workload, or every problem it has."""
    if not isinstance(raw, dict):
        return None, [
            Problem("schema", "", "expected a mapping (apiVersion, kind, metadata, spec)")
        ]
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in _CLASSES:
        supported = ", ".join(f'"{k}"' for k in KINDS)
        what = "Required value" if kind is None else f'Unsupported value: "{kind}"'
        return None, [Problem("schema", "kind", f"{what}: supported values: {supported}")]
    problems: list[Problem] = []
    if "apiVersion" not in raw:
        problems.append(
            Problem("schema", "apiVersion", "Required value", f"apiVersion: {API_VERSION}")
        )
    doc = dict(raw)
    held: dict[str, Any] = {}
    spec = doc.get("spec")
    if isinstance(spec, dict):
        spec = dict(spec)
        for key in _UNION_FIELDS:
            if key in spec:
                held[key] = spec.pop(key)
        doc["spec"] = spec
    cls = _CLASSES[kind]
    normalized, shape = check(doc, cls)
    problems += shape
    if "params" in held:
        if cls is Sweep:
            problems += params_.shape_problems(held["params"], "spec.params")
        else:
            problems.append(
                Problem("schema", "spec.params", "unknown field", "only a Sweep has params")
            )
    if "minAvailable" in held:
        if cls is InferenceService:
            problems += _min_available_problems(held["minAvailable"])
        else:
            problems.append(
                Problem(
                    "schema",
                    "spec.minAvailable",
                    "unknown field",
                    "only an InferenceService has it",
                )
            )
    if problems:
        return None, problems
    if "params" in held:
        held["params"] = params_.normalize(held["params"])
    normalized["spec"].update(held)
    try:
        workload = msgspec.convert(normalized, cls)
    except msgspec.ValidationError as err:  # the shape check should have caught it
        return None, [Problem("schema", "", str(err))]
    return workload, validate(workload)


def loads(text: str) -> list[Workload]:
    """Every workload of a YAML text (one or more documents); :class:`SpecError` with every
    problem of every document."""
    docs, problems = parse_documents(text)
    if problems:
        raise SpecError(problems)
    docs = [d for d in docs if d is not None]
    if not docs:
        raise SpecError(
            [Problem("yaml", "", f"no workload found; expected one of {', '.join(KINDS)}")]
        )
    workloads: list[Workload] = []
    for i, doc in enumerate(docs):
        workload, found = _convert(doc)
        problems += _prefixed(found, index("documents", i) if len(docs) > 1 else "")
        if workload is not None:
            workloads.append(workload)
    if problems:
        raise SpecError(problems)
    return workloads


def load_file(path: str | Path) -> list[Workload]:
    """Read and parse a workload file; a missing file is a :class:`SpecError` too."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError([Problem("file", str(path), err.strerror or str(err))]) from None
    return loads(text)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


#: Mappings whose keys are the user's (label keys, env names, parameter names).
_USER_KEYS: Final = frozenset({"labels", "env", "params"})


def _plain(value: Any) -> Any:
    """Structs as their YAML data, snake_case field names as camelCase."""
    if isinstance(value, msgspec.Struct):
        return msgspec.to_builtins(value)
    if isinstance(value, Mapping):
        return {
            (_camel(k) if isinstance(k, str) else k): (v if k in _USER_KEYS else _plain(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _mount(value: Any) -> Any:
    """``"imagenet"`` or ``"imagenet:/data"`` (``--dataset NAME[:PATH]``) as a mount."""
    if isinstance(value, str):
        name, sep, path = value.partition(":")
        return {"name": name, **({"mountPath": path} if sep else {})}
    return _plain(value)


def _params(value: Any) -> Any:
    """``["lr=0.1,0.01", ...]`` (``--param``) as a mapping; a mapping as it is."""
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return dict(params_.parse_param(v) for v in value)
    if isinstance(value, Mapping):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in value.items()}
    return value


def build(kind: str, name: str, **fields: Any) -> Workload:
    """A workload from keyword fields named as the YAML's, in snake_case (what the
    command-line flags give); ``None`` means not given. ``team`` and ``labels`` are
    metadata; ``gpu``, ``gpu_type``, ``cpu`` and ``memory`` may be given flat instead of
    ``resources``; ``datasets`` and ``output`` accept ``"NAME[:PATH]"``; ``params`` accepts
    ``["lr=0.1,0.01"]``. :class:`SpecError` on bad input, as :func:`loads`."""
    given = {k: v for k, v in fields.items() if v is not None}
    metadata: dict[str, Any] = {"name": name}
    for key in ("team", "labels"):
        if key in given:
            metadata[key] = given.pop(key)
    resources = _plain(given.pop("resources", {}))
    if isinstance(resources, dict):
        for key in _RESOURCE_FIELDS:
            if key in given:
                resources[_camel(key)] = given.pop(key)
    spec: dict[str, Any] = {}
    if resources:
        spec["resources"] = resources
    for key, value in given.items():
        if key == "datasets" and isinstance(value, list | tuple):
            spec["datasets"] = [_mount(v) for v in value]
        elif key == "output":
            spec["output"] = _mount(value)
        elif key == "params":
            spec["params"] = _params(value)
        elif key == "env" and isinstance(value, Mapping):
            spec["env"] = dict(value)  # names are the user's, never camelCased
        else:
            spec[_camel(key)] = _plain(value)
    raw = {
        "apiVersion": API_VERSION,
        "kind": ALIASES.get(kind, kind),
        "metadata": metadata,
        "spec": spec,
    }
    workload, problems = _convert(raw)
    if problems or workload is None:
        raise SpecError(problems)
    return workload


def to_builtins(w: Workload) -> dict[str, Any]:
    """A workload as plain YAML data (``apiVersion`` and ``kind`` first), the inverse of
    :func:`loads`."""
    data = msgspec.to_builtins(w)
    return {
        "apiVersion": w.api_version,
        "kind": w.kind,
        "metadata": data["metadata"],
        "spec": data["spec"],
    }
