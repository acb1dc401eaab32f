"""Findings as text, JSON and SARIF 2.1.0, and a rule as ``--explain`` prints it.

Renderers are pure (findings in, a string out) and never decide anything, so the three
formats say the same thing; the command picks one with ``-o`` and never branches inside.
Text groups findings per object, most useful in a terminal (the CLI colours the severity
words with rich; nothing here knows about colour). SARIF follows the OASIS SARIF 2.1.0
schema (``sarif-schema-2.1.0.json``): one run whose ``tool.driver.rules`` lists every rule
(``id``, ``name``, ``shortDescription``, ``fullDescription``, ``help``,
``defaultConfiguration.level``), and one result per finding with ``ruleId``, ``ruleIndex``,
``level``, ``message.text`` and a location: the file and the object's line when read from a
file, the object (``Kind/namespace/name``) as a logical location always.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, Final
from urllib.parse import quote

from mlkube._version import __version__
from mlkube.platform.lint.findings import SEVERITIES, Finding, Severity
from mlkube.platform.lint.manifests import STDIN
from mlkube.platform.lint.rules import Rule

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "explain", "json_report", "sarif", "summary", "text"]

SARIF_VERSION: Final = "2.1.0"
SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_NAME: Final = "mlkube-lint"
_SARIF_LEVEL: Final[dict[Severity, str]] = {"error": "error", "warning": "warning", "info": "note"}
_WIDTH: Final = 88


def _counts(findings: Sequence[Finding]) -> dict[Severity, int]:
    counts: dict[Severity, int] = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def summary(findings: Sequence[Finding]) -> str:
    """``2 errors, 1 warning, 0 info in 2 objects`` or ``no findings``."""
    if not findings:
        return "no findings"
    counts = _counts(findings)
    objects = len({(f.file, f.line, f.object_ref) for f in findings})

    def plural(n: int, word: str) -> str:
        return f"{n} {word}" if n == 1 or word == "info" else f"{n} {word}s"

    parts = [plural(counts[s], s) for s in SEVERITIES]
    return f"{', '.join(parts)} in {plural(objects, 'object')}"


def _where(f: Finding) -> str:
    if f.file is None:
        return ""
    return f"  ({f.file}:{f.line})" if f.line is not None else f"  ({f.file})"


def text(findings: Sequence[Finding]) -> str:
    """Findings grouped per object, in order, then the summary line."""
    lines: list[str] = []
    current: tuple[str | None, int | None, str] | None = None
    for f in findings:
        key = (f.file, f.line, f.object_ref)
        if key != current:
            if current is not None:
                lines.append("")
            current = key
            ref = f"{f.namespace}/{f.name}" if f.namespace else f.name
            lines.append(f"{f.kind} {ref}{_where(f)}")
        lines.append(f"  {f.severity:<8} {f.rule}  {f.path}")
        lines.extend(
            textwrap.wrap(f.message, _WIDTH, initial_indent=" " * 4, subsequent_indent=" " * 4)
        )
    if lines:
        lines.append("")
    lines.append(summary(findings))
    return "\n".join(lines) + "\n"


def _finding_dict(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "severity": f.severity,
        "kind": f.kind,
        "namespace": f.namespace,
        "name": f.name,
        "path": f.path,
        "message": f.message,
        "file": f.file,
        "line": f.line,
    }


def json_report(findings: Sequence[Finding]) -> str:
    """``{"findings": [...], "summary": {"error": n, "warning": n, "info": n}}``."""
    document = {"findings": [_finding_dict(f) for f in findings], "summary": _counts(findings)}
    return json.dumps(document, indent=2) + "\n"


def _uri(file: str) -> str:
    path = PurePath(file)
    if path.is_absolute():
        return "file://" + quote(path.as_posix())
    return quote(path.as_posix())


def _sarif_rule(r: Rule) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.explanation},
        "help": {"text": r.fix},
        "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
    }


def _sarif_result(f: Finding, index: int) -> dict[str, Any]:
    location: dict[str, Any] = {}
    if f.file is not None and f.file != STDIN:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.file)}}
        if f.line is not None:
            physical["region"] = {"startLine": f.line}
        location["physicalLocation"] = physical
    location["logicalLocations"] = [
        {"name": f.name, "fullyQualifiedName": f.object_ref, "kind": "resource"}
    ]
    return {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": f"{f.object_ref} {f.path}: {f.message}"},
        "locations": [location],
        "properties": {"path": f.path},
    }


def sarif(
    findings: Sequence[Finding], rules: Sequence[Rule], *, tool_version: str = __version__
) -> str:
    """A SARIF 2.1.0 log with one run of ``mlkube-lint``; every rule is listed."""
    index = {r.id: i for i, r in enumerate(rules)}
    driver = {
        "name": TOOL_NAME,
        "version": tool_version,
        "rules": [_sarif_rule(r) for r in rules],
    }
    run = {
        "tool": {"driver": driver},
        "results": [_sarif_result(f, index[f.rule]) for f in findings],
    }
    document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def explain(r: Rule) -> str:
    """What ``mlkube lint --explain RULE`` prints: id, severity, title, why, the fix."""
    body = textwrap.fill(r.explanation, _WIDTH)
    fix = textwrap.fill(f"Fix: {r.fix}", _WIDTH)
    return f"{r.id} {r.name} ({r.severity})\n{r.title}\n\n{body}\n\n{fix}\n"
