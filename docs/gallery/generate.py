"""Regenerate the gallery (`make gallery`): the README's figures and A4 prints of the pages.

From `scenarios/peak_day.yaml` at its own replications and seed, it writes into
docs/gallery/:

- ``peak_day_service_level.png``, ``peak_day_asa_abandon.png``: the run report's plots;
- ``report_a4-N.png``, ``staff_a4-N.png``, ``compare_a4-N.png``: the pages of
  report.html, staff.html (``--shifts``) and compare.html printed to PDF at A4 by
  headless Chromium and rasterised by pdftoppm (skipped, and said, where they are not
  installed: ``apt-get install chromium poppler-utils``);
- from `scenarios/week.yaml` (a horizon of 7 days): ``week_service_level.png`` (days on
  the x axis) and ``week_report_a4-N.png``, the first printed page of its report.html and
  the page with its per-day table (found by pdftotext);
- ``gallery.json``: the command behind each file, the headline numbers the figures
  show, and each PNG's SHA-256, so `tests/test_gallery.py` checks that the gallery is
  what the program gives today.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import simulator
from simulator.planner.compare import compare_plan
from simulator.planner.staffing import erlang_requirement, plan
from simulator.report import format as fmt
from simulator.report.pages import write_plan, write_plan_comparison, write_run

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"
SCENARIO = "scenarios/peak_day.yaml"
WEEK = "scenarios/week.yaml"
HEADLINE = ("service_level", "asa", "abandon_rate", "occupancy")


def headline(res: simulator.SimulationResult) -> dict[str, str]:
    """The day's headline figures as the report shows them ('87.9%', '5.2')."""
    return {k: fmt.value(k, float(res.summary.loc[k, "mean"])) for k in HEADLINE}


def print_pages(html: Path, stem: str, work: Path) -> list[str]:
    """`html` printed to an A4 PDF by headless Chromium, each page a PNG (100 dpi)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None or shutil.which("pdftoppm") is None:
        print(f"skipped {stem}: chromium and pdftoppm are needed", file=sys.stderr)
        return []
    pdf = work / f"{stem}.pdf"
    subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
    )
    for old in GALLERY.glob(f"{stem}_a4-*.png"):
        old.unlink()
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(pdf), str(GALLERY / f"{stem}_a4")], check=True
    )
    return sorted(p.name for p in GALLERY.glob(f"{stem}_a4-*.png"))


def week_pages(work: Path) -> tuple[list[str], dict]:
    """The week's service-level plot and two printed pages of its report (the first,
    and the one holding the per-day table); the files and their record."""
    sc = simulator.load_scenario(ROOT / WEEK)
    res = simulator.simulate(sc)
    write_run(res, work / "week", *erlang_requirement(sc))
    shutil.copyfile(work / "week" / "service_level.png", GALLERY / "week_service_level.png")
    pages = print_pages(work / "week" / "report.html", "week_report", work)
    keep = pages[:1] + [p for p in pages[1:] if "Per day" in _page_text(work, p, pages)][:1]
    for name in set(pages) - set(keep):
        (GALLERY / name).unlink()
    record = {
        "scenario": WEEK,
        "command": f"callsim run {WEEK} --out DIR",
        "replications": res.replications,
        "seed": res.seed,
        "headline": headline(res),
        "pages": keep,
    }
    return ["week_service_level.png", *keep], record


def _page_text(work: Path, page: str, pages: list[str]) -> str:
    """The text of one printed page of the week's report (poppler's pdftotext)."""
    number = pages.index(page) + 1
    pdf = work / "week_report.pdf"
    out = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout


def main() -> None:
    sc = simulator.load_scenario(ROOT / SCENARIO)
    work = Path(tempfile.mkdtemp(prefix="callsim-gallery-"))
    res = simulator.simulate(sc)
    write_run(res, work / "run", *erlang_requirement(sc))
    for name in ("service_level", "asa_abandon"):
        shutil.copyfile(work / "run" / f"{name}.png", GALLERY / f"peak_day_{name}.png")
    write_plan(plan(sc, "erlang-c", shifts=True), work / "staff")
    write_plan_comparison(compare_plan(sc, "erlang-a"), work / "compare")
    pages = {
        "report": print_pages(work / "run" / "report.html", "report", work),
        "staff": print_pages(work / "staff" / "staff.html", "staff", work),
        "compare": print_pages(work / "compare" / "compare.html", "compare", work),
    }
    files = ["peak_day_service_level.png", "peak_day_asa_abandon.png"]
    files += [f for names in pages.values() for f in names]
    week_files, week = week_pages(work)
    files += week_files
    record = {
        "scenario": SCENARIO,
        "commands": {
            "peak_day_*.png, report_a4-*.png": f"callsim run {SCENARIO} --out DIR",
            "staff_a4-*.png": f"callsim staff {SCENARIO} --shifts --out DIR",
            "compare_a4-*.png": f"callsim compare {SCENARIO} --method erlang-a --out DIR",
        },
        "replications": res.replications,
        "seed": res.seed,
        "headline": headline(res),
        "week": week,
        "sha256": {f: hashlib.sha256((GALLERY / f).read_bytes()).hexdigest() for f in files},
    }
    (GALLERY / "gallery.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(work)
    print(f"wrote {len(files)} figures and gallery.json to {GALLERY.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
