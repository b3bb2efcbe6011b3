"""The documentation site builds from the repository without a warning, and shows what
students and planners need without running anything: the notebooks with their figures,
the README as its home page, the reference pages and the scenario schema.

Its test shares the `notebooks` xdist group with tests/test_notebooks.py and is
collected after it (test_notebooks < test_site), so under `--dist loadgroup` the site
uses the copies those tests executed instead of running every notebook again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.xdist_group("notebooks")  # after the notebook tests, which execute them
def test_site_builds_without_a_warning_and_shows_the_notebooks_run(tmp_path):
    """`mkdocs build --strict` (what `make docs` runs): a broken link, a missing page or
    anchor fails. The notebooks come executed: the site shows their figures."""
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert not re.search(r"^WARNING\s+-", done.stderr, re.M), done.stderr[-3000:]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = (site / "notebooks" / notebook.stem / "index.html").read_text(encoding="utf-8")
        assert page.count("data:image/png") >= 1, f"{notebook.name}: no figure on the site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Two commands" in home and 'src="gallery/' in home  # the README, links fixed
    assert (site / "scenario.schema.json").is_file()
