"""Render tour sections as one self-contained HTML page (inline CSS; figures linked by relative path)."""

from __future__ import annotations

import numbers
from html import escape

from . import FigureFile, Paragraph, Section, Table

_CSS = """
:root { --ink: #1d2430; --muted: #5b6472; --rule: #d8dde5; --accent: #2f5d9e; --bad: #a32020; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       background: #fafbfc; }
main { max-width: 68rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
header h1 { margin: 0 0 .2rem; font-size: 2rem; }
header p { margin: 0; color: var(--muted); }
nav { margin: 1.5rem 0 2rem; padding: .8rem 1.2rem; background: #fff; border: 1px solid var(--rule);
      border-radius: 6px; }
nav h2 { margin: 0 0 .3rem; font-size: 1rem; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
nav ol { margin: 0; padding-left: 1.4rem; }
nav .failed a { color: var(--bad); }
section { margin: 0 0 2.5rem; padding: 1.2rem 1.5rem; background: #fff; border: 1px solid var(--rule);
          border-radius: 6px; }
section h2 { margin-top: 0; }
a { color: var(--accent); }
.meta { color: var(--muted); font-size: .85rem; margin-top: -.6rem; }
figure { margin: 1.2rem 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption, caption { color: var(--muted); font-size: .9rem; margin-top: .3rem; }
caption { caption-side: bottom; text-align: left; padding-top: .3rem; }
.table-wrap { overflow-x: auto; margin: 1.2rem 0; }
table { border-collapse: collapse; font-size: .92rem; }
th, td { padding: .25rem .8rem; border-bottom: 1px solid var(--rule); }
th { text-align: left; background: #f0f3f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.error { border: 1px solid var(--bad); background: #fdf1f1; border-radius: 4px; padding: .6rem 1rem; }
.error strong { color: var(--bad); }
.error pre { white-space: pre-wrap; font-size: .8rem; }
"""


def format_cell(value) -> str:
    """Text of one table cell: ints as is, floats with 4 significant digits, anything else ``str()``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if v != v or v in (float("inf"), float("-inf")):
            return str(v)
        if v == 0 or 1e-3 <= abs(v) < 1e6:
            return f"{v:.4g}" if abs(v) < 1e4 else f"{v:.0f}"
        return f"{v:.3e}"
    return str(value)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in table.header)
    body = []
    for row in table.rows:
        cells = "".join(
            f'<td class="num">{escape(format_cell(c))}</td>' if _is_number(c) else f"<td>{escape(format_cell(c))}</td>"
            for c in row
        )
        body.append(f"<tr>{cells}</tr>")
    caption = f"<caption>{escape(table.caption)}</caption>" if table.caption else ""
    return (f'<div class="table-wrap"><table>{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table></div>")


def _figure(fig: FigureFile) -> str:
    caption = f"<figcaption>{escape(fig.caption)}</figcaption>" if fig.caption else ""
    return (f'<figure><img src="{escape(fig.path, quote=True)}" alt="{escape(fig.caption or fig.path, quote=True)}" '
            f'loading="lazy">{caption}</figure>')


def _block(block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, FigureFile):
        return _figure(block)
    if isinstance(block, Table):
        return _table(block)
    return f"<p>{escape(str(block))}</p>"


def _section(section: Section) -> str:
    parts = [f'<section id="{escape(section.slug, quote=True)}"><h2>{escape(section.title)}</h2>']
    if section.seconds is not None:
        parts.append(f'<p class="meta">computed in {section.seconds:.1f} s</p>')
    if section.error is not None:
        parts.append(f'<div class="error"><strong>This section failed:</strong> {escape(section.error)}')
        if section.details:
            parts.append(f"<details><summary>traceback</summary><pre>{escape(section.details)}</pre></details>")
        parts.append("</div>")
    parts.extend(_block(b) for b in section.blocks)
    parts.append("</section>")
    return "\n".join(parts)


def _toc(sections) -> str:
    items = []
    for s in sections:
        cls = ' class="failed"' if s.error is not None else ""
        mark = " (failed)" if s.error is not None else ""
        items.append(f'<li{cls}><a href="#{escape(s.slug, quote=True)}">{escape(s.title)}</a>{mark}</li>')
    return f'<nav><h2>Contents</h2><ol>{"".join(items)}</ol></nav>'


def render(sections, *, full: bool = False, seconds: float | None = None) -> str:
    """The whole report page for ``sections`` (a list of :class:`~fastdip.report.Section`)."""
    from fastdip import __version__

    failed = sum(s.error is not None for s in sections)
    summary = [f"fastdip {escape(__version__)}", "full run" if full else "quick run",
               f"{len(sections)} section{'s' if len(sections) != 1 else ''}"]
    if failed:
        summary.append(f"{failed} failed")
    if seconds is not None:
        summary.append(f"built in {seconds:.1f} s")
    body = "\n".join(_section(s) for s in sections)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fastdip tour</title>
<style>{_CSS}</style>
</head>
<body>
<main>
<header><h1>fastdip tour</h1>
<p>Each course topic run on the bundled sample images, with the numbers measured in this run.
{" · ".join(summary)}.</p></header>
{_toc(sections)}
{body}
</main>
</body>
</html>
"""
