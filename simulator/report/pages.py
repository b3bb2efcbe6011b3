"""The report's page writers, each leaving CSV tables with a data dictionary, PNG plots
and one self-contained HTML page in a folder:

- `write_run(res, out_dir)` (`callsim run --out`): see `simulator.report.run_page`;
- `write_plan(plan, out_dir)` (`callsim staff --out`): `simulator.report.plan_page`;
- `write_plan_comparison(cmp, out_dir)` (`callsim compare SCENARIO --out`) and
  `write_compare(results, out_dir)` (`callsim compare A B --out`):
  `simulator.report.compare_page`.

`write_html(path, title, sections)` with `table` / `image` (`simulator.report.html`)
lets any command build a page in the same style.
"""

from __future__ import annotations

from .compare_page import COMPARE_FILES, DIFFERENCE_FILES, write_compare, write_plan_comparison
from .html import write_html
from .plan_page import PLAN_FILES, SHIFT_FILES, plan_figure, write_plan
from .run_page import RUN_FILES, intervals_html, write_run

__all__ = [
    "COMPARE_FILES",
    "DIFFERENCE_FILES",
    "PLAN_FILES",
    "RUN_FILES",
    "SHIFT_FILES",
    "intervals_html",
    "plan_figure",
    "write_compare",
    "write_html",
    "write_plan",
    "write_plan_comparison",
    "write_run",
]
