"""Scenarios as data: what to create, what to do, and what Kubernetes must answer.

A scenario file (``tests/conformance/<area>/*.yaml``) holds one scenario::

    name: a container above the LimitRange maximum is refused
    area: limitrange
    objects: [...]            # created first, in order; each must succeed
    steps:
      - create: {...}         # or get/list/wait/patch/replace/delete/evict/advance
        error: {code: 403, reason: Forbidden, message: 'pods "big" is forbidden: ...'}
      - get: pods/p
        expect: {spec.nodeName: n1, status.phase: {$oneOf: [Pending, Running]}}

Strings may say ``{{ns}}`` for the scenario's namespace (the runner makes a fresh one per
scenario). ``embedded-only: <reason>`` marks an mlkube-specific scenario that real
Kubernetes is not expected to pass. Loading checks every key, so a typo in a scenario is an
error naming the file and the step, not a silent no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Scenario", "ScenarioError", "Step", "load", "load_dir"]

_VERBS = ("create", "get", "list", "wait", "patch", "replace", "delete", "evict", "advance")
_STEP_KEYS = {
    "create": {"create", "options", "expect", "error", "warnings"},
    "get": {"get", "expect", "error"},
    "list": {"list", "labelSelector", "expect"},
    "wait": {"wait", "until", "timeout"},
    "patch": {"patch", "type", "body", "subresource", "fieldManager", "force", "expect", "error"},
    "replace": {"replace", "expect", "error"},
    "delete": {"delete", "options", "expect", "error"},
    # evict: pods/<name>; options are the Eviction's deleteOptions, dryRun: All the query's
    "evict": {"evict", "options", "dryRun", "expect", "error"},
    "advance": {"advance"},
}
_TOP_KEYS = {"name", "area", "embedded-only", "objects", "steps", "notes"}


class ScenarioError(ValueError):
    """A scenario file that does not say what it means."""


@dataclass(frozen=True)
class Step:
    verb: str
    target: Any
    spec: dict[str, Any]
    where: str  # "file.yaml: steps[2]"


@dataclass(frozen=True)
class Scenario:
    name: str
    area: str
    path: Path
    objects: list[dict[str, Any]]
    steps: list[Step]
    embedded_only: str | None = None
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return f"{self.area}/{self.path.stem}"


def _step(raw: Any, where: str) -> Step:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a step must be a mapping with one of {', '.join(_VERBS)}")
    verbs = [v for v in _VERBS if v in raw]
    if len(verbs) != 1:
        raise ScenarioError(
            f"{where}: a step needs exactly one of {', '.join(_VERBS)}, got {sorted(raw)}"
        )
    verb = verbs[0]
    unknown = set(raw) - _STEP_KEYS[verb]
    if unknown:
        allowed = ", ".join(sorted(_STEP_KEYS[verb]))
        raise ScenarioError(
            f"{where}: unknown key(s) {sorted(unknown)} for {verb}; allowed: {allowed}"
        )
    if "expect" in raw and "error" in raw:
        raise ScenarioError(f"{where}: a step expects either a result or an error, not both")
    spec = {k: v for k, v in raw.items() if k != verb}
    return Step(verb, raw[verb], spec, where)


def load(path: Path) -> Scenario:
    """Read and check one scenario file."""
    try:
        raw = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{path}: not valid YAML: {err}") from None
    if not isinstance(raw, dict):
        raise ScenarioError(f"{path}: a scenario is a mapping")
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ScenarioError(
            f"{path}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}"
        )
    for key in ("name", "area", "steps"):
        if key not in raw:
            raise ScenarioError(f"{path}: missing {key!r}")
    steps = [_step(s, f"{path.name}: steps[{i}]") for i, s in enumerate(raw["steps"])]
    objects = raw.get("objects") or []
    if not all(isinstance(o, dict) for o in objects):
        raise ScenarioError(f"{path}: objects must be Kubernetes objects (mappings)")
    return Scenario(
        name=str(raw["name"]),
        area=str(raw["area"]),
        path=path,
        objects=objects,
        steps=steps,
        embedded_only=raw.get("embedded-only"),
        notes=str(raw.get("notes", "")),
    )


def load_dir(root: Path) -> list[Scenario]:
    """Every scenario under ``root``, sorted by area and file name."""
    return [load(p) for p in sorted(root.rglob("*.yaml"))]
