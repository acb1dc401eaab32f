"""Properties of rendering that hold for every workload the loader accepts."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mlkube.platform import Platform, load_file
from mlkube.platform.workloads import render
from tests.unit.platform.schemas import schema_errors
from tests.unit.platform.workloads.builders import training
from tests.unit.platform.workloads.conftest import EXAMPLES

PLATFORM: Platform = load_file(EXAMPLES / "platform.yaml")

trainings = st.fixed_dictionaries(
    {
        "nodes": st.integers(1, 4),
        "gpu": st.integers(0, 8),
        "cpu": st.sampled_from([None, "500m", "4", "96"]),
        "memory": st.sampled_from([None, "1Gi", "256Gi", "1152Gi"]),
        "datasets": st.sampled_from(
            [[], ["imagenet"], ["features:/out"], ["imagenet", "features"]]
        ),
        "deadline": st.sampled_from([None, "90s", "1h30m", "12h"]),
        "retries": st.one_of(st.none(), st.integers(0, 10)),
        "run_for": st.sampled_from([None, "1s", "20m"]),
    }
)


@settings(max_examples=60, deadline=None)
@given(trainings)
def test_every_training_job_renders_schema_valid_objects_placed_on_the_gpu_pool(
    fields: dict[str, Any],
) -> None:
    objects = render(training("job", **fields), PLATFORM)
    assert [e for o in objects for e in schema_errors(o)] == []
    job = next(o for o in objects if o["kind"] == "Job")
    pod = job["spec"]["template"]["spec"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert terms["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == ["gpu-a100"]
    resources = pod["containers"][0].get("resources", {})
    assert resources.get("requests") == resources.get("limits")
    assert job["spec"].get("completions", 1) == fields["nodes"]
