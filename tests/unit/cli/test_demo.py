"""``make demo`` shows what the README promises: placement on the GPU pool, a quota refusal
with Kubernetes' words, a deadline kill and TTL cleanup."""

from __future__ import annotations

import pytest

from mlkube.cli.demo import main


@pytest.mark.slow
def test_the_demo_shows_placement_quota_deadline_and_ttl(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main() == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "46 objects created through server-side apply" in out
    assert "gpu-a100-" in out
    assert "Running" in out
    assert (
        "is forbidden: exceeded quota: vision, requested: requests.nvidia.com/gpu=8, "
        "used: requests.nvidia.com/gpu=16, limited: requests.nvidia.com/gpu=16"
    ) in out
    assert "runaway │ Failed (DeadlineExceeded)" in out
    assert "Job was active longer than specified deadline" in out
    assert out.count("deleted by ttlSecondsAfterFinished") == 3
