"""The public surface of the top-level package is pinned: adding a name is a decision."""

import mlkube


def test_the_top_level_package_exports_its_version_and_the_sdks_entry_points() -> None:
    assert mlkube.__all__ == ["Client", "Handle", "MlkubeError", "__version__", "connect"]


def test_importing_mlkube_loads_no_sdk_client_or_engine_until_connect_is_used() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, mlkube\n"
        "print(sorted(m for m in sys.modules if m.startswith(('mlkube.', 'lightkube'))))\n"
        "mlkube.connect\n"
        "print('mlkube.sdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["['mlkube._version']", "True"]


def test_the_version_is_a_release_string() -> None:
    major, minor, patch = mlkube.__version__.split(".")
    assert all(part.isdigit() for part in (major, minor, patch))


def test_the_api_package_names_its_rule_modules_without_importing_them() -> None:
    import importlib
    import subprocess
    import sys

    import mlkube.api

    for name in mlkube.api.__all__:
        module = importlib.import_module(f"mlkube.api.{name}")
        assert module.__all__, f"mlkube.api.{name} declares its public names"
    probe = (
        "import sys, mlkube.api\n"
        "print(sorted(m for m in sys.modules if m.startswith('mlkube.api.')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
