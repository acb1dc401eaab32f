"""Small builders for pods and the helpers the type specifications share."""

from __future__ import annotations

import copy
from typing import Any

from mlkube.api.field import FieldError
from mlkube.engine.types.strategy import Strategy

Obj = dict[str, Any]

# Upstream's messages, written out here so the specifications do not trust the code.
DNS1123_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_LABEL_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
QUALIFIED_NAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


class PodBuilder:
    """``make_pod("train").container(image="pytorch").limits({"nvidia.com/gpu": "1"})``."""

    def __init__(self, name: str = "train", namespace: str = "ml") -> None:
        self.obj: Obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"containers": []},
        }

    @property
    def spec_(self) -> Obj:
        spec: Obj = self.obj["spec"]
        return spec

    def container(
        self, name: str = "main", image: str = "pytorch:2.3", **fields: Any
    ) -> PodBuilder:
        self.spec_["containers"].append({"name": name, "image": image, **fields})
        return self

    def init_container(
        self, name: str = "setup", image: str = "busybox:1.36", **fields: Any
    ) -> PodBuilder:
        self.spec_.setdefault("initContainers", []).append({"name": name, "image": image, **fields})
        return self

    def _last(self) -> Obj:
        last: Obj = self.spec_["containers"][-1]
        return last

    def requests(self, values: dict[str, str]) -> PodBuilder:
        self._last().setdefault("resources", {})["requests"] = dict(values)
        return self

    def limits(self, values: dict[str, str]) -> PodBuilder:
        self._last().setdefault("resources", {})["limits"] = dict(values)
        return self

    def spec(self, **fields: Any) -> PodBuilder:
        self.spec_.update(copy.deepcopy(fields))
        return self

    def volume(self, name: str, **source: Any) -> PodBuilder:
        self.spec_.setdefault("volumes", []).append({"name": name, **source})
        return self

    def meta(self, **fields: Any) -> PodBuilder:
        self.obj["metadata"].update(fields)
        return self

    def build(self) -> Obj:
        return copy.deepcopy(self.obj)


def make_pod(name: str = "train", namespace: str = "ml") -> PodBuilder:
    return PodBuilder(name, namespace)


def created(strategy: Strategy, obj: Obj) -> Obj:
    """What the store holds after a create: defaulted and prepared (not validated)."""
    obj = copy.deepcopy(obj)
    strategy.default(obj)
    strategy.prepare_for_create(obj)
    obj["metadata"].setdefault("resourceVersion", "1")
    obj["metadata"].setdefault("uid", "uid-1")
    obj["metadata"].setdefault("creationTimestamp", "2026-01-01T00:00:00Z")
    return obj


def messages(errs: list[FieldError]) -> list[str]:
    return [e.error() for e in errs]


def create_errors(strategy: Strategy, obj: Obj) -> list[str]:
    """The messages of a create after defaulting, as the store runs it."""
    obj = copy.deepcopy(obj)
    strategy.default(obj)
    strategy.prepare_for_create(obj)
    return messages(strategy.validate(obj))


def update_errors(strategy: Strategy, new: Obj, old: Obj) -> list[str]:
    new = copy.deepcopy(new)
    strategy.default(new)
    strategy.prepare_for_update(new, old)
    return messages(strategy.validate_update(new, old))
