"""Run one scenario against one target and say exactly what did not hold.

The runner: 1. makes a fresh namespace, 2. creates the scenario's objects, 3. runs each
step, comparing results and refusals with the expectations (errors by code, reason and
message, word for word), 4. cleans up what it created (namespace, cluster-scoped objects).
A wait polls until its condition holds or its timeout passes, in virtual time on an
embedded target and in real time elsewhere.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlkube.api.registry import by_kind, lookup
from mlkube.client import ApiError as ClientApiError
from mlkube.engine.errors import ApiError as EngineApiError
from mlkube.testing.scenarios.matchers import check_fields, matches
from mlkube.testing.scenarios.model import Scenario, Step
from mlkube.testing.scenarios.targets import Target

__all__ = ["Outcome", "run"]

_POLL = 0.2
_counter = itertools.count(1)
#: What a refusal looks like on either target: code, reason, message.
_REFUSALS = (ClientApiError, EngineApiError)


@dataclass
class Outcome:
    scenario: str
    target: str
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def _render(value: Any, ns: str) -> Any:
    if isinstance(value, str):
        return value.replace("{{ns}}", ns)
    if isinstance(value, list):
        return [_render(v, ns) for v in value]
    if isinstance(value, dict):
        return {_render(k, ns): _render(v, ns) for k, v in value.items()}
    return value


def _ref(target_ref: str) -> tuple[str, str]:
    resource, _, name = target_ref.partition("/")
    return resource, name


def _error_problems(err: Any, expected: Mapping[str, Any]) -> list[str]:
    problems = []
    for key in ("code", "reason", "message"):
        if key in expected:
            why = matches(getattr(err, key, None), expected[key])
            if why is not None:
                problems.append(f"error {key} {why}")
    return problems


class _Run:
    def __init__(self, scenario: Scenario, target: Target) -> None:
        self.scenario = scenario
        self.target = target
        self.ns = f"conf-{next(_counter)}-{abs(hash(scenario.id)) % 100000}"
        self.cluster_scoped: list[tuple[str, str]] = []
        self.failures: list[str] = []

    def fail(self, where: str, problems: list[str]) -> None:
        self.failures.extend(f"{where}: {p}" for p in problems)

    def create(self, obj: dict[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
        rt = by_kind(str(obj.get("apiVersion")), str(obj.get("kind")))
        obj = copy.deepcopy(obj)
        if rt.namespaced:
            obj.setdefault("metadata", {}).setdefault("namespace", self.ns)
        elif rt.kind == "Node":
            obj = self.target.prepare_node(obj)
        out = self.target.create(obj, **options)
        if not rt.namespaced and not options.get("dryRun"):
            self.cluster_scoped.append((rt.qualified, out["metadata"]["name"]))
        return out

    def namespace_for(self, resource: str) -> str | None:
        return self.ns if lookup(resource).namespaced else None

    def step(self, step: Step) -> None:
        spec = _render(step.spec, self.ns)
        target_ref = _render(step.target, self.ns)
        try:
            result = self._do(step.verb, target_ref, spec)
        except _REFUSALS as err:
            if "error" in spec:
                self.fail(step.where, _error_problems(err, spec["error"]))
            else:
                self.fail(step.where, [f"refused: {getattr(err, 'code', '?')} {err}"])
            return
        if "error" in spec:
            self.fail(step.where, [f"succeeded, expected {spec['error']}"])
            return
        if "expect" in spec and result is not None:
            self.fail(step.where, check_fields(result, spec["expect"]))

    def _do(self, verb: str, ref: Any, spec: dict[str, Any]) -> Any:
        if verb == "create":
            return self.create(ref, spec.get("options") or {})
        if verb == "advance":
            self.target.advance(float(ref))
            return None
        if verb == "list":
            items = self.target.list(ref, self.namespace_for(ref), spec.get("labelSelector"))
            return {"items": items}
        if verb == "replace":
            return self.target.replace(ref)
        resource, name = _ref(ref)
        ns = self.namespace_for(resource)
        if verb == "get":
            return self.target.get(resource, name, ns)
        if verb == "patch":
            return self.target.patch(
                resource,
                name,
                ns,
                spec.get("body"),
                spec.get("type", "strategic"),
                subresource=spec.get("subresource", ""),
                field_manager=spec.get("fieldManager"),
                force=spec.get("force"),
            )
        if verb == "delete":
            return self.target.delete(resource, name, ns, **(spec.get("options") or {}))
        if verb == "evict":
            eviction: dict[str, Any] = {
                "apiVersion": "policy/v1",
                "kind": "Eviction",
                "metadata": {"name": name, "namespace": ns},
            }
            if spec.get("options"):
                eviction["deleteOptions"] = spec["options"]
            return self.target.evict(name, ns or "", eviction, dry_run=bool(spec.get("dryRun")))
        if verb == "wait":
            return self._wait(resource, name, ns, spec)
        raise AssertionError(verb)

    def _wait(self, resource: str, name: str, ns: str | None, spec: dict[str, Any]) -> None:
        timeout = float(spec.get("timeout", 30))
        until = spec.get("until") or {}
        waited = 0.0
        last: list[str] = ["never read"]
        while True:
            try:
                obj = self.target.get(resource, name, ns)
                last = check_fields(obj, until)
            except _REFUSALS as err:
                last = [f"get failed: {err}"]
            if not last:
                return
            if waited >= timeout:
                raise _WaitTimeout(f"waited {timeout:g}s for {resource}/{name}: {'; '.join(last)}")
            self.target.advance(_POLL)
            waited += _POLL

    def cleanup(self) -> None:
        for resource, name in reversed(self.cluster_scoped):
            with contextlib.suppress(*_REFUSALS):
                self.target.delete(resource, name, None)
        with contextlib.suppress(*_REFUSALS):
            self.target.delete("namespaces", self.ns, None)


class _WaitTimeout(Exception):
    """A wait whose condition never held."""


def run(scenario: Scenario, target: Target) -> Outcome:
    """Run ``scenario`` on ``target``; the outcome lists every expectation that failed."""
    run_ = _Run(scenario, target)
    outcome = Outcome(scenario.id, target.name)
    try:
        run_.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": run_.ns}}, {})
        run_.cluster_scoped.pop()  # the namespace is removed last, separately
        for i, obj in enumerate(scenario.objects):
            try:
                run_.create(_render(obj, run_.ns), {})
            except _REFUSALS as err:
                run_.failures.append(f"objects[{i}]: refused: {err}")
                break
        else:
            for step in scenario.steps:
                try:
                    run_.step(step)
                except _WaitTimeout as err:
                    run_.failures.append(f"{step.where}: {err}")
                    break
    finally:
        run_.cleanup()
    outcome.failures = run_.failures
    return outcome
