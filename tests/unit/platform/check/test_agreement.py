"""Differential: a seeded stream of GPU jobs, each checked and then submitted, in one cluster.

For every job, check's answer must be what the embedded cluster then does: admitted or the
FailedCreate event, placed on a node check called best (one of the ties) or the
FailedScheduling message word for word (and explain, asked then, repeats the latest one).
Virtual time moves on between jobs so that some finish and free their GPUs.
"""

from __future__ import annotations

import random

import pytest

from mlkube.platform.check import check
from mlkube.platform.check.explain import explain
from tests.unit.platform.check.builders import NAMESPACE, gpu_job, unmask, world


@pytest.mark.parametrize("seed", [pytest.param(s, id=f"seed {s}") for s in range(1, 6)])
def test_a_stream_of_jobs_is_admitted_and_placed_as_check_predicts(seed: int) -> None:
    rng = random.Random(seed)
    w = world(gpu_nodes=3, gpu_quota="20")
    for i in range(16):
        name = f"job-{i}"
        nodes = rng.choice((1, 1, 1, 2, 3))
        gpus = rng.choice((1, 2, 4, 8))
        job = gpu_job(w, name, gpus=gpus, run_for=f"{rng.randrange(1, 30)}m", nodes=nodes)
        report = check([job], w.state(), now=w.clock.now())
        w.submit(job, settle=3)
        if report.gang is not None and report.admitted:
            bound = [n for n in w.nodes_of(name) if n != "None"]
            assert report.gang.placed == len(bound), name
            if not report.gang.feasible:
                assert report.gang.message in w.events(f"{name}-", "FailedScheduling"), name
            elif not report.gang.distinct:
                assert len(set(bound)) < len(bound), name
        elif not report.admitted:
            assert report.refusals[0].message == unmask(w.events(name, "FailedCreate")[0]), name
        else:
            placement = report.placements[0]
            if placement.node is None:
                said = w.events(f"{name}-", "FailedScheduling")
                assert placement.message == said[0], name
                found = explain(w.target, name, NAMESPACE, now=w.clock.now()).findings
                assert [f.message for f in found if f.kind == "unschedulable"] == said[-1:], name
            else:
                assert w.nodes_of(name)[0] in placement.tied, name
        w.cluster.advance(rng.randrange(0, 600))
    assert {j["metadata"]["name"] for j in w.cluster.list("jobs", NAMESPACE)} >= {"job-0"}
