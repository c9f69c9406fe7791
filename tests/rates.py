"""How the tests find the rates a page or slide shows: every `NN%` in its texts and in its
charts (labels, hovers, titles, annotations), to check they are written one way."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A number followed by %, not a plotly placeholder's format (`%{x:.1f}%` is caught below).
RATE = re.compile(r"(?<![\d.,])\d[\d,]*(?:\.\d+)?\s?%")
# A hover that lets plotly write the number itself, with its own decimals.
PLOTLY_NUMBER = re.compile(r"%\{[^}:]+:[^}]*\}\s?%(?!\{)")


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def figure_texts(spec: dict) -> list[str]:
    """The texts a reader sees in a plotly figure's JSON: its traces' text, customdata and
    hovertemplate, its title and annotations."""
    texts: list[str] = []
    for trace in spec.get("data", []):
        for key in ("text", "customdata", "hovertemplate", "hovertext"):
            texts.extend(_strings(trace.get(key)))
    layout = spec.get("layout", {})
    texts.extend(_strings(layout.get("title", {}).get("text")))
    texts.extend(_strings([a.get("text") for a in layout.get("annotations", [])]))
    return texts


def rates_in(texts: Iterable[str]) -> list[str]:
    return [match.group().replace(" ", "") for text in texts for match in RATE.finditer(text)]


def miswritten_rates(texts: Iterable[str]) -> list[str]:
    """The rates not written as `formatting.format_percent` writes them (one decimal, no
    trailing `.0`), and the hovers that leave the decimals to plotly."""
    texts = list(texts)
    wrong = [
        rate
        for rate in rates_in(texts)
        if rate.endswith(".0%") or re.search(r"\.\d\d", rate) or "," in rate
    ]
    return wrong + [m.group() for t in texts for m in PLOTLY_NUMBER.finditer(t)]
