"""Lazy package attributes: every exported name resolves, light imports stay light."""

import subprocess
import sys

import pytest

import antifragile
import gametheory
import scenarios


@pytest.mark.parametrize("package", [scenarios, gametheory, antifragile])
def test_every_exported_name_resolves(package):
    assert package.__all__ and all(getattr(package, name) is not None for name in package.__all__)
    assert set(package.__all__) - {"__version__"} == set(dir(package))


def test_an_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="'scenarios' has no attribute 'nope'"):
        scenarios.nope  # noqa: B018


def test_the_detector_imports_without_the_heavy_dependencies():
    code = (
        "import sys; from antifragile import ConfigError, ManipulationDetector, MarketDataError; "
        "print(sorted(m for m in ('arch', 'cvxpy', 'nashpy', 'torch', 'scipy.optimize') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
