"""ML008 (GPU workloads without a priorityClassName, or naming none that exists) and ML009
(images with :latest or no tag)."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.platform.lint import Cluster
from mlkube.platform.lint.images import image_tag

from .builders import job, pod, priority_class
from .helpers import hits

CLASSES = Cluster(priorityclasses=[priority_class("training"), priority_class("batch-low", 10)])


@pytest.mark.parametrize(
    ("obj", "cluster", "severity"),
    [
        pytest.param(job().gpus(1).build(), None, "info", id="without known classes it is info"),
        pytest.param(
            job().gpus(1).build(),
            CLASSES,
            "warning",
            id="with classes and no default it is a warning",
        ),
        pytest.param(
            job().priority_class("traning").build(),
            CLASSES,
            "error",
            id="a class that does not exist is refused, GPU or not",
        ),
    ],
)
def test_priority_flagged(obj: dict[str, Any], cluster: Cluster | None, severity: str) -> None:
    (finding,) = hits("ML008", [obj], cluster)
    assert finding.severity == severity
    assert finding.path == "spec.template.spec.priorityClassName"


def test_a_missing_class_quotes_priority_admission() -> None:
    """plugin/pkg/admission/priority/admission.go: "no PriorityClass with name %v was found"."""
    (finding,) = hits("ML008", [job().priority_class("traning").build()], CLASSES)
    assert '"no PriorityClass with name traning was found"' in finding.message
    assert "use one of batch-low, training" in finding.message


@pytest.mark.parametrize(
    ("obj", "cluster"),
    [
        pytest.param(job().gpus(1).priority_class("training").build(), CLASSES, id="a known class"),
        pytest.param(
            job().gpus(1).build(),
            Cluster(priorityclasses=[priority_class("default", global_default=True)]),
            id="a globalDefault class gives every pod a priority",
        ),
        pytest.param(
            job().gpus(1).priority_class("system-cluster-critical").build(),
            CLASSES,
            id="the built-in system classes always exist",
        ),
        pytest.param(job().build(), CLASSES, id="a CPU Job may run at the default priority"),
        pytest.param(
            job().gpus(1).priority_class("anything").build(),
            None,
            id="a class name cannot be checked without known classes",
        ),
    ],
)
def test_priority_not_flagged(obj: dict[str, Any], cluster: Cluster | None) -> None:
    assert hits("ML008", [obj], cluster) == []


# Inputs from github.com/distribution/reference@v0.6.0 reference_test.go (TestReferenceParse).
_DIGEST = "sha256:" + "f" * 64


@pytest.mark.parametrize(
    ("image", "tag"),
    [
        pytest.param("test_com", None, id="a bare name has no tag"),
        pytest.param("test.com:tag", "tag", id="a name and a tag"),
        pytest.param("test.com:5000", "5000", id="without a slash the port-like part is a tag"),
        pytest.param("test.com/repo:tag", "tag", id="a path and a tag"),
        pytest.param("test:5000/repo", None, id="a registry port is not a tag"),
        pytest.param("test:5000/repo:tag", "tag", id="a registry port and a tag"),
        pytest.param(f"test:5000/repo@{_DIGEST}", f"@{_DIGEST}", id="a digest pins"),
        pytest.param(f"test:5000/repo:tag@{_DIGEST}", f"@{_DIGEST}", id="a digest wins over a tag"),
    ],
)
def test_image_tag(image: str, tag: str | None) -> None:
    assert image_tag(image) == tag


@pytest.mark.parametrize(
    ("image", "flagged"),
    [
        pytest.param("pytorch/pytorch", True, id="an untagged image is flagged"),
        pytest.param("pytorch/pytorch:latest", True, id="a latest image is flagged"),
        pytest.param(
            "localhost:5000/train", True, id="an untagged image from a registry with a port"
        ),
        pytest.param("pytorch/pytorch:2.4.0", False, id="a version tag is pinned"),
        pytest.param("train@sha256:" + "a" * 64, False, id="a digest is pinned"),
    ],
)
def test_image_latest(image: str, flagged: bool) -> None:
    found = hits("ML009", [pod().image(image).build()])
    assert bool(found) is flagged
    assert all(f.severity == "info" and f.path == "spec.containers[0].image" for f in found)


def test_init_container_images_are_checked() -> None:
    (finding,) = hits("ML009", [pod().init_container("fetch", image="busybox").build()])
    assert finding.path == "spec.initContainers[0].image"
