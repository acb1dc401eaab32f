"""Images that are not pinned: ``:latest`` or no tag at all.

An untagged image means ``:latest``, which moves: two pods of one sweep can run different
code, and a rerun is not the same run. For ``:latest`` (or no tag) ``imagePullPolicy``
defaults to ``Always`` (``SetDefaults_Container`` in ``pkg/apis/core/v1/defaults.go``), so
every pod start pulls a multi-gigabyte training image. References are split as the
container runtime parses them (``github.com/distribution/reference``): a digest pins, and
the tag is after the last ``:`` of the last path component (a registry port is not a tag).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from mlkube.platform.lint.context import LintContext
from mlkube.platform.lint.findings import Hit
from mlkube.platform.lint.rules import Rule

__all__ = ["IMAGE_TAG", "RULES", "image_tag"]


def image_tag(image: str) -> str | None:
    """The tag of an image reference, ``"@digest"`` when pinned by digest, None when absent."""
    if "@" in image:
        return "@" + image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def _check(ctx: LintContext) -> Iterator[Hit]:
    for t in ctx.templates:
        for list_name, i, container in t.containers:
            image = str(container.get("image") or "")
            if not image:
                continue
            tag = image_tag(image)
            if tag is not None and tag != "latest":
                continue
            why = "uses :latest" if tag == "latest" else "has no tag (that means :latest)"
            yield Hit(
                t.manifest.index,
                t.at(list_name, i, "image"),
                f"image {image} {why}: it can change between pods and runs and is pulled on "
                "every start; pin a version tag or a digest",
            )


IMAGE_TAG = Rule(
    id="ML009",
    name="image-latest",
    severity="info",
    title="Image with :latest or no tag",
    explanation=(
        "An image without a tag is the :latest tag, and :latest moves. Pods of one Job or "
        "sweep started at different times can run different code, results cannot be "
        "reproduced, and imagePullPolicy defaults to Always for such images, so every pod "
        "start pulls the (often multi-gigabyte) image again."
    ),
    fix=(
        "Pin the image to a version tag (pytorch/pytorch:2.4.0-cuda12.1) or a digest (@sha256:...)."
    ),
    check=_check,
)

RULES: Final = (IMAGE_TAG,)
