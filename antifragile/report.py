"""Reports as a list of blocks rendered to Markdown and to self-contained HTML."""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = ["Heading", "Paragraph", "Table", "Figure", "render_markdown", "render_html"]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    frame: pd.DataFrame
    float_format: str = "{:.4g}"


@dataclass(frozen=True)
class Figure:
    path: Path  # the PNG on disk
    relative: str  # its path relative to the report
    caption: str


def _cell(value, float_format: str) -> str:
    return float_format.format(value) if isinstance(value, float) else str(value)


def _rows(table: Table):
    frame = table.frame
    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    body = [[str(i)] + [_cell(v, table.float_format) for v in row] for i, row in zip(frame.index, frame.itertuples(index=False))]
    return header, body


def render_markdown(blocks) -> str:
    out = []
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"{'#' * block.level} {block.text}\n")
        elif isinstance(block, Paragraph):
            out.append(block.text + "\n")
        elif isinstance(block, Table):
            header, body = _rows(block)
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + "---|" * len(header))
            out.extend("| " + " | ".join(row) + " |" for row in body)
            out.append("")
        elif isinstance(block, Figure):
            out.append(f"![{block.caption}]({block.relative})\n")
    return "\n".join(out)


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:0.85em;margin:0.5em 0 1.5em}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f3f3f3} td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #eee} figcaption{font-size:0.85em;color:#555}
code{background:#f6f6f6;padding:0 3px}
"""


def render_html(blocks, title: str) -> str:
    """A single HTML file: figures embedded as base64 PNG, no external resources."""
    out = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
           f"<style>{_STYLE}</style></head><body>"]
    for block in blocks:
        if isinstance(block, Heading):
            out.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Paragraph):
            out.append(f"<p>{_inline(block.text)}</p>")
        elif isinstance(block, Table):
            header, body = _rows(block)
            out.append("<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in header) + "</tr>")
            out.extend("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in body)
            out.append("</table>")
        elif isinstance(block, Figure):
            data = base64.b64encode(Path(block.path).read_bytes()).decode("ascii")
            out.append(f"<figure><img alt='{html.escape(block.caption)}' src='data:image/png;base64,{data}'>"
                       f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
    out.append("</body></html>")
    return "\n".join(out)


def _inline(text: str) -> str:
    """Escape text and turn Markdown `code` spans and **bold** into HTML."""
    import re

    escaped = html.escape(text)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped).replace("\n", "<br>")
