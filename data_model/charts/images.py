"""Charts as PNG images, rendered on the server by kaleido in a headless Chrome/Chromium.

Used by the periodic bulletin (charts embedded in the Word file) and by pages that offer
"download chart as PNG". Rendering never touches the network (SPEC §8): plotly.js comes
from the installed plotly package, MathJax is off (kaleido would fetch it from a CDN),
and the browser is given a proxy that refuses every connection. Chinese text needs a CJK
font on the server (Debian: fonts-noto-cjk); `FONT_FAMILY` names one.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import kaleido
import plotly.graph_objects as go

from data_model import settings
from data_model.charts.common import FONT_FAMILY

DEFAULT_WIDTH = 900
DEFAULT_HEIGHT = 500
DEFAULT_SCALE = 2  # twice the pixels: sharp when printed
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
RENDER_TIMEOUT_SECONDS = 90
# Port 9 (discard) on loopback: anything the browser tries to fetch fails at once.
NO_NETWORK_PROXY = "http://127.0.0.1:9"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ChartImageError(RuntimeError):
    """A chart could not be rendered: no browser found, or the browser failed."""


def find_browser() -> str | None:
    """The browser kaleido drives: `BROWSER_PATH` if set (None when it is not executable),
    else the first of BROWSER_NAMES on PATH (Debian's package installs /usr/bin/chromium)."""
    return settings.program_path(settings.browser_path(), BROWSER_NAMES)


def browser_problem() -> str:
    """Why `find_browser` found nothing, for error messages."""
    return settings.program_problem("BROWSER_PATH", BROWSER_NAMES, "Chrome/Chromium")


def chart_png(
    figure: go.Figure,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    scale: float = DEFAULT_SCALE,
) -> bytes:
    """The figure as PNG bytes of `width` x `height` CSS pixels (times `scale` in pixels).

    The figure is not changed. Raises ChartImageError without a browser or when it fails.
    """
    return chart_pngs([(figure, width, height)], scale)[0]


def chart_pngs(
    charts: Sequence[tuple[go.Figure, int, int]], scale: float = DEFAULT_SCALE
) -> list[bytes]:
    """Several (figure, width, height) as PNG bytes, in order, with one browser start
    (starting Chromium takes a few seconds, rendering a chart a fraction of one)."""
    if not charts:
        return []
    path = find_browser()
    if path is None:
        raise ChartImageError(browser_problem())
    jobs = [
        (_for_print(figure), {"format": "png", "width": width, "height": height, "scale": scale})
        for figure, width, height in charts
    ]
    # A thread of its own gives kaleido an event loop even when the caller already runs one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            images = pool.submit(asyncio.run, _render(jobs, path)).result()
        except Exception as error:
            raise ChartImageError(f"rendering chart images with {path} failed: {error}") from error
    for image in images:
        if not image.startswith(PNG_MAGIC):
            raise ChartImageError(f"{path} returned something other than a PNG image")
    return images


def png_size(image: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header."""
    if not image.startswith(PNG_MAGIC) or len(image) < 24:
        raise ValueError("not a PNG image")
    return struct.unpack(">II", image[16:24])


def _for_print(figure: go.Figure) -> go.Figure:
    """A copy with a CJK font family and a white background (the page's theme is not there)."""
    copy = go.Figure(figure)
    if not copy.layout.font.family:
        copy.update_layout(font_family=FONT_FAMILY)
    copy.update_layout(paper_bgcolor="white")
    return copy


async def _render(jobs: list[tuple[go.Figure, dict]], path: str) -> list[bytes]:
    async with kaleido.Kaleido(
        path=path,
        mathjax=False,
        proxy_server=NO_NETWORK_PROXY,
        timeout=RENDER_TIMEOUT_SECONDS,
    ) as renderer:
        return [await renderer.calc_fig(figure, opts=opts) for figure, opts in jobs]
