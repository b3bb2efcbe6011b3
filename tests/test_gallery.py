"""The gallery (docs/gallery, `make gallery`) shows what the program gives today: the
headline numbers recorded beside the figures are the simulation's, and the README's
two plots are byte for byte what the plotting code draws from that simulation."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import simulator
from simulator.report import plots
from simulator.report.html import figure_png

ROOT = Path(__file__).resolve().parents[1]
GALLERY = ROOT / "docs" / "gallery"
RECORD = json.loads((GALLERY / "gallery.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def res():
    sc = simulator.load_scenario(ROOT / RECORD["scenario"])
    return simulator.simulate(sc, RECORD["replications"], RECORD["seed"])


def load_generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gallery", GALLERY / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_headline_numbers_are_the_programs(res):
    assert load_generator().headline(res) == RECORD["headline"], "run `make gallery`"


def test_the_readme_plots_are_drawn_from_todays_simulation(res):
    for name, figure in (
        ("peak_day_service_level.png", plots.service_level_figure),
        ("peak_day_asa_abandon.png", plots.asa_abandon_figure),
    ):
        assert figure_png(figure(res)) == (GALLERY / name).read_bytes(), f"{name}: make gallery"


def test_every_file_is_the_one_recorded_and_shown():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, digest in RECORD["sha256"].items():
        assert hashlib.sha256((GALLERY / name).read_bytes()).hexdigest() == digest, name
    for stem in ("report", "staff", "compare"):
        assert f"docs/gallery/{stem}_a4-1.png" in readme, stem
    assert "peak_day_service_level.png" in readme and "make gallery" in readme


def test_the_week_plot_and_pages_are_todays():
    """The week's plot (days on the x axis) is drawn from today's simulation of its
    scenario, and the README shows it with the printed pages recorded."""
    week = RECORD["week"]
    sc = simulator.load_scenario(ROOT / week["scenario"])
    res = simulator.simulate(sc, week["replications"], week["seed"])
    assert load_generator().headline(res) == week["headline"], "run `make gallery`"
    png = figure_png(plots.service_level_figure(res))
    assert png == (GALLERY / "week_service_level.png").read_bytes(), "make gallery"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "docs/gallery/week_service_level.png" in readme
    assert all(f"docs/gallery/{page}" in readme for page in week["pages"])
