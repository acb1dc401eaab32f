"""``mlkube platform``: the commands, through click's CliRunner, against the embedded cluster."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from mlkube.cli.platform import platform
from mlkube.platform.render import render
from mlkube.platform.spec import load_file
from tests.unit.platform.builders import ml_platform
from tests.unit.platform.targets import Recording, embedded

EXAMPLE = "examples/platform.yaml"


def run(*args: str, target: Recording | None = None) -> Result:
    return CliRunner().invoke(platform, list(args), obj={"target": target} if target else None)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "platform.yaml"
    path.write_text(text)
    return str(path)


def test_validate_says_a_good_spec_is_valid() -> None:
    result = run("validate", "-f", EXAMPLE)
    assert result.exit_code == 0
    assert result.stdout == f"{EXAMPLE}: platform acme-ml is valid (2 pools, 2 teams, 3 datasets)\n"


def test_validate_prints_one_line_per_problem_and_exits_1_without_a_traceback(
    tmp_path: Path,
) -> None:
    doc = ml_platform().set("pools.0.capacity.memory", "64GG").set("pools.1.nodes", -2).yaml()
    result = run("validate", "-f", write(tmp_path, doc))
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert result.stderr == (
        'error: pools[0].capacity.memory: "64GG" is not a valid quantity\n'
        "error: pools[1].nodes: must be greater than or equal to 0\n"
    )


def test_validate_reports_rule_problems_as_json(tmp_path: Path) -> None:
    doc = ml_platform().profile("finetune", "gpu-a100").yaml()
    result = run("validate", "-f", write(tmp_path, doc), "-o", "json")
    assert result.exit_code == 1
    (problem,) = json.loads(result.stdout)
    assert (problem["severity"], problem["rule"], problem["path"]) == (
        "error",
        "gpu-deadline",
        "profiles.finetune.deadline",
    )


def test_apply_then_apply_again_writes_nothing_the_second_time() -> None:
    _, target = embedded()
    first = run("apply", "-f", EXAMPLE, target=target)
    assert first.exit_code == 0
    assert "create  resourcequota/vision -n vision" in first.stdout
    target.writes = []
    second = run("apply", "-f", EXAMPLE, target=target)
    assert second.exit_code == 0
    assert second.stdout == "wrote 0: 0 created, 0 changed, 0 removed; 41 unchanged\n"
    assert target.writes == []


def test_apply_dry_run_says_what_it_would_write() -> None:
    _, target = embedded()
    result = run("apply", "-f", EXAMPLE, "--dry-run", target=target)
    assert (
        result.stdout.splitlines()[-1]
        == "would write 51: 51 created, 0 changed, 0 removed; 0 unchanged"
    )
    assert target.writes == []


def test_apply_of_an_invalid_spec_writes_nothing(tmp_path: Path) -> None:
    _, target = embedded()
    result = run(
        "apply", "-f", write(tmp_path, ml_platform().profile("x", "nope").yaml()), target=target
    )
    assert result.exit_code == 1
    assert (
        result.stderr
        == 'error: profiles.x.pools[0]: Not found: "nope"; pools are: gpu-a100, general\n'
    )
    assert target.writes == []


def test_apply_lists_what_left_the_spec_and_keeps_it_without_prune(tmp_path: Path) -> None:
    _, target = embedded()
    run("apply", "-f", write(tmp_path, ml_platform().priority("batch", 10).yaml()), target=target)
    result = run("apply", "-f", write(tmp_path, ml_platform().yaml()), "-o", "json", target=target)
    rows = json.loads(result.stdout)
    assert {"action": "orphan", "object": "priorityclass/batch"} in rows


def test_diff_after_a_manual_edit_is_a_unified_diff_of_that_object() -> None:
    cluster, target = embedded()
    run("apply", "-f", EXAMPLE, target=target)
    cluster.patch(
        "limitranges",
        "vision",
        {"spec": {"limits": [{"type": "Container", "max": {"cpu": "4"}}]}},
        "application/merge-patch+json",
        namespace="vision",
    )
    result = run("diff", "-f", EXAMPLE, target=target)
    assert result.exit_code == 0
    assert result.stdout.startswith(
        "--- live/limitrange/vision -n vision\n+++ desired/limitrange/vision -n vision\n"
    )
    assert "-      cpu: '4'\n" in result.stdout
    assert "+      cpu: '96'\n" in result.stdout


def test_diff_of_an_applied_spec_is_empty() -> None:
    _, target = embedded()
    run("apply", "-f", EXAMPLE, target=target)
    assert run("diff", "-f", EXAMPLE, target=target).stdout == ""


@pytest.mark.parametrize("output", ["yaml", "json"])
def test_export_prints_the_rendered_manifests(output: str) -> None:
    result = run("export", "-f", EXAMPLE, "-o", output)
    expected = render(load_file(EXAMPLE))
    if output == "yaml":
        assert list(yaml.safe_load_all(result.stdout)) == expected
    else:
        assert json.loads(result.stdout) == {"apiVersion": "v1", "kind": "List", "items": expected}


def test_show_prints_pools_teams_and_datasets() -> None:
    cluster, target = embedded()
    run("apply", "-f", EXAMPLE, target=target)
    cluster.run_until_idle()
    table = run("show", target=target).stdout
    assert "gpu-a100  4 " in table
    assert "requests.nvidia.com/gpu=0/16" in table.replace("\n", "").replace(" ", "")
    data = json.loads(run("show", "-o", "json", target=target).stdout)
    assert [p["name"] for p in data["pools"]] == ["general", "gpu-a100"]
    assert [(d["name"], d["team"], d["claim"]) for d in data["datasets"]] == [
        ("common-crawl", "nlp", "common-crawl"),
        ("features", "vision", "features"),
        ("imagenet", "vision", "imagenet"),
    ]


def test_an_unreachable_cluster_is_one_message(tmp_path: Path) -> None:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "dead", "cluster": {"server": "http://127.0.0.1:1"}}],
                "contexts": [{"name": "dead", "context": {"cluster": "dead", "user": "u"}}],
                "users": [{"name": "u", "user": {"token": "x"}}],
                "current-context": "dead",
            }
        )
    )
    refused = run("show", "--kubeconfig", str(kubeconfig))
    assert (
        refused.exit_code,
        refused.stderr.startswith(
            "error: cluster dead is unreachable: cannot reach http://127.0.0.1:1"
        ),
    ) == (1, True)
    missing = run("show", "--kubeconfig", str(kubeconfig), "--context", "nope")
    assert (missing.exit_code, missing.stderr) == (
        1,
        f"error: --context: no context 'nope' in {kubeconfig}\n",
    )


def test_importing_the_command_imports_neither_rich_nor_the_cluster_layers() -> None:
    probe = "import sys, json, mlkube.cli.platform; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True
        ).stdout
    )
    heavy = ("rich", "lightkube", "mlkube.engine", "mlkube.client", "mlkube.platform")
    assert [m for m in loaded if m.split(".")[0] in heavy[:2] or m.startswith(heavy[2:])] == []


def test_diff_lists_what_left_the_spec_and_shows_its_removal_only_with_prune(
    tmp_path: Path,
) -> None:
    _, target = embedded()
    run("apply", "-f", write(tmp_path, ml_platform().priority("batch", 10).yaml()), target=target)
    spec = write(tmp_path, ml_platform().yaml())
    kept = run("diff", "-f", spec, target=target)
    assert (
        kept.stderr == "kept: priorityclass/batch is no longer in the spec (--prune removes it)\n"
    )
    # Only the stored spec changes: it loses the priority, as a diff of its lines.
    assert kept.stdout.startswith(
        "--- live/configmap/mlkube-platform -n kube-public\n"
        "+++ desired/configmap/mlkube-platform -n kube-public\n"
    )
    assert "-    - name: batch\n-      value: 10\n" in kept.stdout
    pruned = run("diff", "-f", spec, "--prune", target=target)
    assert pruned.stdout.startswith(
        "--- live/priorityclass/batch\n+++ desired/priorityclass/batch\n"
    )
    assert "-value: 10\n" in pruned.stdout


def test_validate_reads_the_spec_from_stdin_with_dash_f_dash() -> None:
    result = CliRunner().invoke(platform, ["validate", "-f", "-"], input=ml_platform().yaml())
    assert (result.exit_code, result.stdout) == (
        0,
        "-: platform acme-ml is valid (2 pools, 1 team, 1 dataset)\n",
    )
