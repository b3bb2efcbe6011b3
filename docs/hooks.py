"""MkDocs hooks (mkdocs.yml `hooks:`): pages that live outside docs/, and the notebooks
with their outputs.

- The README is the home page, CONTRIBUTING.md and CHANGELOG.md are pages: each is read
  from the repository root at build time, never copied, and its links into docs/ are
  made relative to the site (`docs/gallery/x.png` -> `gallery/x.png`).
- The notebooks are stored without outputs. The site shows executed copies from
  build/notebooks/ (mounted by mkdocs-jupyter's `notebook_dirs`): tests/test_notebooks.py
  writes them when it runs the notebooks, and a copy missing or older than its notebook
  is executed here, so the suite runs each notebook once and `make docs` (which clears
  build/notebooks/ first) shows outputs of the code as it is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import mkdocs.plugins
import nbclient
import nbformat
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXECUTED = ROOT / "build" / "notebooks"
# root file -> page; links between them are rewritten too
PAGES = {
    "README.md": "index.md",
    "CONTRIBUTING.md": "contributing.md",
    "CHANGELOG.md": "changelog.md",
}
CELL_TIMEOUT = 300  # seconds


def execute(notebook: Path, target: Path, cwd: Path = NOTEBOOKS) -> nbformat.NotebookNode:
    """Run `notebook` top to bottom in a fresh `python3` kernel started in `cwd`, and
    write the executed copy to `target` atomically (two runs at once never leave half
    a file). Raises nbclient's CellExecutionError, with the cell and traceback."""
    nb = nbformat.read(notebook, as_version=4)
    resources = {"metadata": {"path": str(cwd)}}
    nbclient.NotebookClient(
        nb, timeout=CELL_TIMEOUT, kernel_name="python3", resources=resources
    ).execute()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    nbformat.write(nb, partial)
    partial.replace(target)
    return nb


def fresh(target: Path, source: Path) -> bool:
    return target.is_file() and target.stat().st_mtime >= source.stat().st_mtime


@mkdocs.plugins.event_priority(100)  # before mkdocs-jupyter mounts build/notebooks/
def on_config(config):
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        target = EXECUTED / notebook.name
        if not fresh(target, notebook):
            execute(notebook, target)
    return config


def site_links(markdown: str) -> str:
    """Links written for the repository, made to work on the site."""
    markdown = re.sub(r"\]\(docs/", "](", markdown)
    for name, page in PAGES.items():
        markdown = markdown.replace(f"]({name})", f"]({page})")
    return markdown


@mkdocs.plugins.event_priority(100)  # before mkdocs-jupyter wraps the files
def on_files(files: Files, config) -> Files:
    for name, page in PAGES.items():
        text = site_links((ROOT / name).read_text(encoding="utf-8"))
        files.append(File.generated(config, page, content=text))
    return files
