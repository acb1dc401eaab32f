"""The rule registry and the lint pipeline: ids, order, clean workloads."""

from __future__ import annotations

import pytest

from mlkube.platform.lint import RULES, Cluster, Manifest, Rule, UnknownRule, lint, rule

from .builders import (
    claim,
    cronjob,
    deployment,
    gpu_node,
    job,
    limitrange,
    pod,
    priority_class,
    quota,
)

#: The rules issue 10 asks for, by id (the ids are a public interface: CI configs name them).
EXPECTED_IDS = [f"ML{n:03d}" for n in range(1, 15)]


def test_the_registry_lists_every_rule_once_in_id_order() -> None:
    assert [r.id for r in RULES] == EXPECTED_IDS
    assert len({r.name for r in RULES}) == len(RULES)


@pytest.mark.parametrize(
    "r", RULES, ids=[f"{r.id} explains itself and says the fix" for r in RULES]
)
def test_every_rule_has_a_title_an_explanation_and_a_fix(r: object) -> None:
    assert isinstance(r, Rule)
    assert r.title
    assert r.explanation
    assert r.fix


def test_rule_lookup_ignores_case_and_refuses_unknown_ids() -> None:
    assert rule("ml003").id == "ML003"
    with pytest.raises(UnknownRule, match="no rule ML999"):
        rule("ML999")


def test_a_well_formed_gpu_training_setup_has_no_findings() -> None:
    gpu_job = (
        job()
        .gpus(8)
        .toleration()
        .priority_class("training")
        .node_selector(**{"mlkube.io/pool": "a100"})
        .claim("datasets")
        .job(parallelism=1)
        .build()
    )
    objects = [
        gpu_job,
        cronjob().build(),
        deployment().spec(replicas=3).build(),
        pod().build(),
        quota(),
        limitrange(default={"cpu": "1", "memory": "1Gi"}),
        claim("datasets", "ReadOnlyMany"),
    ]
    cluster = Cluster(
        nodes=[gpu_node("a100-0").build()], priorityclasses=[priority_class("training")]
    )
    assert lint(objects, cluster, namespace="ml") == []


def test_findings_come_in_manifest_order_then_rule_id() -> None:
    first = job("first").pod(restartPolicy=None).image("train").build()
    second = pod("second").image("train:latest").build()
    findings = lint([Manifest(second, "a.yaml", 1), Manifest(first, "a.yaml", 9)])
    assert [(f.name, f.rule) for f in findings] == [
        ("second", "ML009"),
        ("first", "ML009"),
        ("first", "ML010"),
    ]
    assert [f.line for f in findings] == [1, 9, 9]


def test_objects_without_a_namespace_take_the_default_one() -> None:
    bare = pod().image("train").build()
    del bare["metadata"]["namespace"]
    (finding,) = lint([bare], namespace="team-a")
    assert finding.namespace == "team-a"
    assert finding.object_ref == "Pod/team-a/p"
