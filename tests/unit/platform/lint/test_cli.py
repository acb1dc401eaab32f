"""``mlkube lint`` through click: inputs, formats, exit codes, --explain, --live."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from mlkube.cli.lazy import LazyCommand, LazyGroup
from mlkube.cli.lint import lint as lint_command

from .builders import gpu_node, job, pod
from .fakes import FakeLister

CLEAN = job().build()
BROKEN = job("bad").pod(restartPolicy=None).build()  # ML010: an error
UNTAGGED = pod().image("busybox").build()  # ML009: info only


def _write(path: Path, *objects: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump_all(objects), encoding="utf-8")
    return str(path)


def _run(*args: str, obj: dict[str, Any] | None = None, stdin: str | None = None) -> Result:
    return CliRunner().invoke(lint_command, list(args), obj=obj, input=stdin)


def test_clean_manifests_exit_0(tmp_path: Path) -> None:
    result = _run("-f", _write(tmp_path / "ok.yaml", CLEAN))
    assert result.exit_code == 0, result.output
    assert result.output == "no findings\n"


def test_an_error_finding_exits_1(tmp_path: Path) -> None:
    result = _run("-f", _write(tmp_path / "bad.yaml", BROKEN))
    assert result.exit_code == 1
    assert "ML010" in result.output


def test_warnings_and_info_alone_exit_0(tmp_path: Path) -> None:
    result = _run("-f", _write(tmp_path / "info.yaml", UNTAGGED))
    assert result.exit_code == 0
    assert "ML009" in result.output


def test_text_groups_findings_under_the_object_and_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "two.yaml", CLEAN, BROKEN)
    result = _run("-f", path)
    header = next(line for line in result.output.splitlines() if line.startswith("Job ml/bad"))
    assert header.endswith(f"({path}:{_line_of_second_document(path)})")


def _line_of_second_document(path: str) -> int:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return lines.index("---") + 2


def test_a_directory_and_stdin_are_read(tmp_path: Path) -> None:
    (tmp_path / "nested").mkdir()
    _write(tmp_path / "nested" / "bad.yml", BROKEN)
    result = _run("-f", str(tmp_path), "-f", "-", "-o", "json", stdin=yaml.safe_dump(UNTAGGED))
    report = json.loads(result.stdout)
    assert [(f["name"], f["rule"]) for f in report["findings"]] == [
        ("bad", "ML010"),
        ("p", "ML009"),
    ]
    assert report["findings"][1]["file"] == "<stdin>"


def test_a_yaml_syntax_error_names_file_and_line_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n", encoding="utf-8")
    result = _run("-f", str(bad))
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {bad}:5: ")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_min_severity_hides_lesser_findings(tmp_path: Path) -> None:
    path = _write(tmp_path / "info.yaml", UNTAGGED)
    result = _run("-f", path, "--min-severity", "warning")
    assert result.output == "no findings\n"


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_machine_formats_are_json(tmp_path: Path, fmt: str) -> None:
    result = _run("-f", _write(tmp_path / "bad.yaml", BROKEN), "-o", fmt)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert ("runs" in document) is (fmt == "sarif")


def test_explain_prints_the_rule() -> None:
    result = _run("--explain", "ml003")
    assert result.exit_code == 0
    assert result.output.startswith(
        "ML003 job-ttl (warning)\nJob without ttlSecondsAfterFinished\n"
    )
    assert "Fix: Set spec.ttlSecondsAfterFinished" in result.output


def test_explain_of_an_unknown_rule_is_a_usage_error() -> None:
    result = _run("--explain", "ML999")
    assert result.exit_code == 2
    assert "no rule ML999" in result.output


def test_without_input_it_asks_for_some() -> None:
    result = _run()
    assert result.exit_code == 2
    assert "give -f PATH" in result.output


def test_live_lints_the_namespace_objects() -> None:
    client = FakeLister([job().gpus(1).build(), gpu_node().build()], namespace="ml")
    result = _run("--live", obj={"client": client})
    assert result.exit_code == 1  # a GPU Job no GPU node tolerates is an error with --live
    assert "Job ml/train" in result.output
    assert "ML001" in result.output


def test_live_with_files_lints_the_files_against_the_cluster(tmp_path: Path) -> None:
    client = FakeLister([BROKEN, gpu_node().build()], namespace="team")
    path = _write(tmp_path / "gpu.yaml", job("mine", namespace="team").gpus(1).build())
    result = _run("-f", path, "--live", "-n", "team", "-o", "json", obj={"client": client})
    findings = json.loads(result.stdout)["findings"]
    assert {f["name"] for f in findings} == {"mine"}
    assert any(f["rule"] == "ML001" and f["severity"] == "error" for f in findings)
    assert ("nodes", None) in client.calls


def test_live_rbac_refusals_are_warnings_on_stderr() -> None:
    client = FakeLister([CLEAN], forbidden=["persistentvolumes"])
    result = _run("--live", obj={"client": client})
    assert result.exit_code == 0
    assert result.stderr.startswith("warning: cannot list persistentvolumes")


def test_on_a_terminal_severities_are_coloured(tmp_path: Path) -> None:
    from io import StringIO

    from rich.console import Console

    out = StringIO()
    console = Console(file=out, force_terminal=True, color_system="standard", width=200)
    result = _run("-f", _write(tmp_path / "bad.yaml", BROKEN), obj={"console": console})
    assert result.exit_code == 1
    assert "\x1b[1;31m  error\x1b[0m" in out.getvalue()


def test_off_a_terminal_there_are_no_escape_codes(tmp_path: Path) -> None:
    result = _run("-f", _write(tmp_path / "bad.yaml", BROKEN))
    assert "\x1b[" not in result.output


#: The entry the lead adds to ``COMMANDS`` in src/mlkube/cli/main.py.
REGISTRATION = LazyCommand(
    "mlkube.cli.lint:lint", "Lint ML workloads: rules with ids, fixes, SARIF."
)


def test_the_lazy_registration_resolves_to_this_command() -> None:
    group = LazyGroup(name="mlkube", lazy={"lint": REGISTRATION})
    result = CliRunner().invoke(group, ["lint", "--explain", "ML001"])
    assert result.exit_code == 0
    assert result.output.startswith("ML001 gpu-toleration (warning)")


def test_importing_the_command_imports_nothing_heavy() -> None:
    code = (
        "import sys, json\n"
        "import mlkube.cli.lint\n"
        "heavy = ('mlkube.engine', 'mlkube.server', 'mlkube.client', 'lightkube', 'rich')\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
