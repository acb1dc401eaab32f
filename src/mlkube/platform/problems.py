"""What is wrong with a platform spec, as data: one :class:`Problem` per mistake, with its path.

Every check of the platform spec (the shape check of :mod:`mlkube.platform.spec` and the rules
of :mod:`mlkube.platform.validate`) reports problems instead of raising at the first one, so a
user sees every mistake at once, each as ``<path>: <message>`` the way ``kubectl`` prints a
``field.Error`` (``k8s.io/apimachinery/pkg/util/validation/field/errors.go``), plus the fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["ERROR", "WARNING", "Problem", "Severity", "SpecError", "child", "index"]

Severity = Literal["error", "warning"]
ERROR: Severity = "error"
WARNING: Severity = "warning"

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_-]+")


def child(path: str, key: str) -> str:
    """``pools[0]`` + ``capacity`` -> ``pools[0].capacity``; keys with dots or slashes are
    quoted: ``quota["requests.nvidia.com/gpu"]``."""
    if _PLAIN_KEY.fullmatch(key):
        return f"{path}.{key}" if path else key
    return f'{path}["{key}"]'


def index(path: str, i: int) -> str:
    return f"{path}[{i}]"


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake: the rule that found it, where, what is wrong, and how to fix it."""

    rule: str
    path: str
    message: str
    fix: str = ""
    severity: Severity = ERROR

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return f"{text}; {self.fix}" if self.fix else text

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class SpecError(Exception):
    """A spec that cannot be used; carries every problem found, in order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
