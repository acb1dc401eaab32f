"""The renderers: text grouped per object, JSON, SARIF 2.1.0 (golden files), ``--explain``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mlkube.platform.lint import RULES, Finding, lint, parse_manifests, render, rule

INPUT = Path(__file__).parent / "golden" / "workloads.yaml"


@pytest.fixture
def findings() -> list[Finding]:
    return lint(parse_manifests(INPUT.read_text(encoding="utf-8"), "manifests/workloads.yaml"))


def test_text_is_golden(findings: list[Finding], golden: Callable[[str, str], None]) -> None:
    golden("lint.txt", render.text(findings))


def test_json_is_golden(findings: list[Finding], golden: Callable[[str, str], None]) -> None:
    golden("lint.json", render.json_report(findings))


def test_sarif_is_golden(findings: list[Finding], golden: Callable[[str, str], None]) -> None:
    golden("lint.sarif", render.sarif(findings, RULES, tool_version="0.0.0-golden"))


def test_explain_is_golden(golden: Callable[[str, str], None]) -> None:
    golden("explain-ML010.txt", render.explain(rule("ML010")))


def test_text_without_findings_says_so() -> None:
    assert render.text([]) == "no findings\n"


def test_json_summary_counts_by_severity(findings: list[Finding]) -> None:
    report = json.loads(render.json_report(findings))
    assert report["summary"] == {
        s: sum(f.severity == s for f in findings) for s in ("error", "warning", "info")
    }
    assert len(report["findings"]) == len(findings)


# --- SARIF 2.1.0: the shape sarif-schema-2.1.0.json requires (OASIS SARIF v2.1.0, section 3):
# objects allow only their defined properties (additionalProperties: false), sarifLog needs
# version and runs, run needs tool, tool needs driver, toolComponent needs name,
# reportingDescriptor needs id, multiformatMessageString and message need text, a result's
# level is none|note|warning|error, region.startLine >= 1.

_ALLOWED: dict[str, set[str]] = {
    "log": {"$schema", "version", "runs", "inlineExternalProperties", "properties"},
    "run": {"tool", "results", "invocations", "artifacts", "properties", "columnKind"},
    "tool": {"driver", "extensions", "properties"},
    "driver": {"name", "version", "semanticVersion", "informationUri", "rules", "properties"},
    "rule": {
        "id",
        "name",
        "shortDescription",
        "fullDescription",
        "help",
        "helpUri",
        "defaultConfiguration",
        "properties",
    },
    "result": {"ruleId", "ruleIndex", "level", "message", "locations", "properties"},
    "location": {"physicalLocation", "logicalLocations", "message", "properties"},
    "physical": {"artifactLocation", "region", "properties"},
    "logical": {"name", "fullyQualifiedName", "kind", "properties"},
}


def _only(kind: str, obj: dict[str, Any]) -> None:
    extra = set(obj) - _ALLOWED[kind]
    assert not extra, f"{kind} has properties SARIF 2.1.0 does not define: {extra}"


def test_sarif_has_the_shape_of_the_2_1_0_schema(findings: list[Finding]) -> None:
    log = json.loads(render.sarif(findings, RULES))
    _only("log", log)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    _only("run", run)
    _only("tool", run["tool"])
    driver = run["tool"]["driver"]
    _only("driver", driver)
    assert driver["name"] == "mlkube-lint"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == [r.id for r in RULES]
    for r in driver["rules"]:
        _only("rule", r)
        for description in ("shortDescription", "fullDescription", "help"):
            assert set(r[description]) == {"text"}
            assert r[description]["text"]
        assert r["defaultConfiguration"]["level"] in {"note", "warning", "error"}
    assert len(run["results"]) == len(findings)
    for result in run["results"]:
        _only("result", result)
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"none", "note", "warning", "error"}
        assert result["message"]["text"]
        for location in result["locations"]:
            _only("location", location)
            physical = location["physicalLocation"]
            _only("physical", physical)
            assert physical["artifactLocation"] == {"uri": "manifests/workloads.yaml"}
            assert physical["region"]["startLine"] >= 1
            for logical in location["logicalLocations"]:
                _only("logical", logical)


def test_sarif_points_at_the_line_of_each_object(findings: list[Finding]) -> None:
    log = json.loads(render.sarif(findings, RULES))
    lines = {
        r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]: r["locations"][0][
            "physicalLocation"
        ]["region"]["startLine"]
        for r in log["runs"][0]["results"]
    }
    assert lines == {"Job/vision/resnet-train": 16}


def test_sarif_levels_map_info_to_note() -> None:
    (finding,) = [f for f in lint([_untagged_pod()]) if f.rule == "ML009"]
    (result,) = json.loads(render.sarif([finding], RULES))["runs"][0]["results"]
    assert result["level"] == "note"


def test_sarif_without_a_file_has_only_a_logical_location() -> None:
    findings = lint([_untagged_pod()])
    (result,) = json.loads(render.sarif(findings, RULES))["runs"][0]["results"]
    assert set(result["locations"][0]) == {"logicalLocations"}


def _untagged_pod() -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ml"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }
