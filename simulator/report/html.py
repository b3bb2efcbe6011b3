"""The HTML layer: pages, tables and figures rendered by Jinja2 templates
(`simulator/report/templates/`, package data), one stylesheet (`report.css`) inlined in
every page so a page is one self-contained file, safe to e-mail.

Text is escaped by the templates; `Raw` marks HTML built here (a table, a figure) that
goes into a page as is.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from importlib import metadata
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from matplotlib.figure import Figure

from . import plots

Raw = Markup  # HTML that goes into a page or a cell as is (everything else is escaped)

_ENV = Environment(
    loader=PackageLoader("simulator.report", "templates"),
    autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
)


def render(template: str, **context: object) -> Raw:
    """One template of `templates/`, rendered with `context` (escaped unless Raw)."""
    return Raw(_ENV.get_template(template).render(**context))


def escape(text: object) -> Raw:
    """Plain text made safe for a page."""
    return Markup.escape(text)


def table(header: Sequence, rows: Iterable[Sequence], align: str = "", css: str = "") -> Raw:
    """A table. `align` gives each column's alignment, "l" text or "r" number (default:
    the first column text, the others numbers). Cells are escaped unless `Raw`."""
    rows = [list(r) for r in rows]
    width = max([len(header)] + [len(r) for r in rows])
    numeric = [a == "r" for a in (align or "l").ljust(width, "r")]
    return render("table.html.j2", header=header, rows=rows, numeric=numeric, css=css)


def figure_png(fig: Figure) -> bytes:
    """The figure as PNG bytes at the plots' resolution (100 dpi)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=plots.DPI)
    return buf.getvalue()


def image(png: bytes, alt: str, caption: str = "") -> Raw:
    """A PNG embedded in the page (base64), with an optional caption."""
    data = base64.b64encode(png).decode("ascii")
    return render("figure.html.j2", data=data, alt=alt, caption=caption)


def note(text: str) -> Raw:
    """A grey explanatory paragraph (plain text)."""
    return Raw('<p class="note">') + escape(text) + Raw("</p>")


def bullets(items: Iterable[str]) -> Raw:
    """A bulleted list of plain-text items."""
    return (
        Raw("<ul>")
        + Raw("").join(Raw("<li>") + escape(i) + Raw("</li>") for i in items)
        + Raw("</ul>")
    )


def details(summary: str, body: str) -> Raw:
    """A folded section: `summary` (plain text) opens `body` (HTML)."""
    return (
        Raw("<details><summary>")
        + escape(summary)
        + Raw("</summary>")
        + Raw(body)
        + Raw("</details>")
    )


def version() -> str:
    """The installed callsim version ("dev" from a bare checkout)."""
    try:
        return metadata.version("callsim")
    except metadata.PackageNotFoundError:
        return "dev"


def write_html(
    path: str | Path,
    title: str,
    sections: Sequence[tuple[str, str]],
    subtitle: str = "",
    kicker: str = "callsim report",
    footer: str = "",
) -> Path:
    """Write one self-contained HTML page: a header, then `sections` as (heading, HTML
    body) pairs. `title`, `subtitle`, `kicker`, `footer` and headings are plain text
    (escaped); bodies are HTML (`Raw`, built with `table` / `image`)."""
    page = render(
        "page.html.j2",
        title=title,
        subtitle=subtitle,
        kicker=kicker,
        footer=footer,
        sections=[(h, Raw(b)) for h, b in sections],
        version=version(),
    )
    path = Path(path)
    path.write_text(page + "\n", encoding="utf-8")
    return path


def files_note(
    paths: Sequence[Path], about: str = "column meanings and units in data_dictionary.csv"
) -> Raw:
    """'Written next to this page (...): a.csv, b.png.'"""
    names = Raw(", ").join(Raw("<code>") + escape(p.name) + Raw("</code>") for p in paths)
    return (
        Raw('<p class="note">Written next to this page (')
        + escape(about)
        + Raw("): ")
        + names
        + Raw(".</p>")
    )
