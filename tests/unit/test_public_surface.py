"""The public surface of the top-level package is pinned: adding a name is a decision."""

import mlkube


def test_the_top_level_package_exports_only_its_version() -> None:
    assert mlkube.__all__ == ["__version__"]


def test_the_version_is_a_release_string() -> None:
    major, minor, patch = mlkube.__version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))
