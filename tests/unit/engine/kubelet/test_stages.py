"""The simulated pod's stages are data: the table, the facts it reads, and the annotation
values it accepts (KWOK's ``durationFrom`` rules, ``kwok/pkg/utils/lifecycle/
value_duration_from.go`` and its ``_test.go``)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mlkube.engine.kubelet import stages

from .builders import Pod, make_pod

GOLDEN = Path(__file__).parent / "golden" / "stages.txt"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_stage_table_is_the_golden_one() -> None:
    # Regenerate with MLKUBE_UPDATE_GOLDEN=1 after a deliberate change, and review the diff.
    text = stages.render()
    if os.environ.get("MLKUBE_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("30s", (30.0, False), id="a Go duration counts from the stage's anchor"),
        pytest.param("1m30s", (90.0, False), id="compound Go durations are accepted"),
        pytest.param("1.5m", (90.0, False), id="fractional Go durations are accepted"),
        pytest.param("300ms", (0.3, False), id="milliseconds are accepted"),
        pytest.param("0", (0.0, False), id="a bare zero is a duration"),
        pytest.param("2026-01-01T00:00:10Z", (10.0, True), id="an RFC 3339 time counts from now"),
        pytest.param("2025-12-31T23:59:50Z", (-10.0, True), id="a past time is already due"),
        pytest.param("10", None, id="a bare number other than zero falls back to the default"),
        pytest.param("soon", None, id="an unparsable value falls back to the default"),
        pytest.param("", None, id="an empty value falls back to the default"),
    ],
)
def test_annotation_delays_follow_kwoks_duration_from(
    value: str, expected: tuple[float, bool] | None
) -> None:
    pod = make_pod().annotate(**{stages.RUN_FOR: value}).build()
    got = stages.annotation_seconds(pod, stages.RUN_FOR, NOW)
    if expected is None:
        assert got is None
    else:
        assert got is not None
        assert got == (pytest.approx(expected[0]), expected[1])


def test_a_missing_annotation_means_the_default() -> None:
    assert stages.annotation_seconds(make_pod().build(), stages.RUN_FOR, NOW) is None


@pytest.mark.parametrize(
    ("pod", "exits"),
    [
        pytest.param(make_pod(), False, id="a bare pod runs until deleted"),
        pytest.param(make_pod().owned_by_job(), True, id="a Job's pod exits by itself"),
        pytest.param(make_pod().runs_for("1m"), True, id="run-for makes any pod exit"),
        pytest.param(make_pod().exits_with(3), True, id="exit-code makes any pod exit"),
        pytest.param(
            make_pod().owned_by_job().exits_with("-1"),
            False,
            id="an exit code KWOK would not match keeps the pod running",
        ),
    ],
)
def test_which_pods_exit_by_themselves(pod: Pod, exits: bool) -> None:
    assert stages.facts(pod.build()).exits is exits


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(None, 0, id="no annotation is exit code 0"),
        pytest.param("0", 0, id="zero"),
        pytest.param("137", 137, id="a three-digit code"),
        pytest.param("1000", None, id="four digits are out of KWOK's range"),
        pytest.param("01", None, id="a leading zero does not match"),
    ],
)
def test_exit_codes_are_read_as_kwoks_stages_read_them(raw: str | None, code: int | None) -> None:
    pod = make_pod() if raw is None else make_pod().exits_with(raw)
    assert stages.exit_code(pod.build()) == code


@pytest.mark.parametrize(
    ("status", "containers"),
    [
        pytest.param({"phase": "Pending"}, stages.NONE, id="a pending pod has no containers yet"),
        pytest.param(
            {"phase": "Running", "containerStatuses": [{"state": {"running": {}}}]},
            stages.RUNNING,
            id="a running container",
        ),
        pytest.param(
            {
                "phase": "Running",
                "containerStatuses": [{"state": {"waiting": {"reason": "CrashLoopBackOff"}}}],
            },
            stages.BACKOFF,
            id="a container waiting out its back-off",
        ),
        pytest.param(
            {"phase": "Succeeded", "containerStatuses": [{"state": {"running": {}}}]},
            stages.EXITED,
            id="a terminal pod's containers have exited whatever they say",
        ),
    ],
)
def test_the_containers_fact_is_read_from_status(status: dict, containers: str) -> None:
    pod = {**make_pod().build(), "status": status}
    assert stages.facts(pod).containers == containers
