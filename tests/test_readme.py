"""README's example outputs are what the commands print: docs/readme_examples.py --check."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.conftest import ROOT


def readme_examples():
    """docs/readme_examples.py as a module (docs/ is not a package)."""
    path = ROOT / "docs" / "readme_examples.py"
    spec = importlib.util.spec_from_file_location("readme_examples", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


def test_readme_example_outputs_are_current(nlp):
    diff = readme_examples().check()
    if diff:
        pytest.fail("README's example outputs differ from what the commands print; run "
                    "`python docs/readme_examples.py` and read the diff:\n" + diff,
                    pytrace=False)


def test_check_sees_a_stale_output_and_masks_only_the_timings(nlp, tmp_path):
    module = readme_examples()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    generated = module.outputs()
    stale = tmp_path / "README.md"
    stale.write_text(readme.replace("│ 1 │ Paris ", "│ 1 │ Lyon  ", 1), encoding="utf-8")
    assert "+│ 1 │ Paris " in module.check(stale, generated)

    retimed = module.TIMING.sub(" in 99.9 s (1 words/s)", readme)
    assert retimed != readme
    assert module.render(retimed, generated) == retimed  # timings alone: kept
    stale.write_text(retimed, encoding="utf-8")
    assert module.check(stale, generated) == ""
