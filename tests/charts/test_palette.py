"""The chart palette stays apart for colour-blind viewers, and no colour is the only sign.

Protanopia and deuteranopia are simulated with the matrices of Machado, Oliveira and
Fernandes (2009, severity 1.0) on linear sRGB; the distance of two simulated colours is
CIEDE2000 in CIELAB (D65). Every pair of status colours, and of the good/bad/neutral
tones, must stay MIN_CVD_DISTANCE apart for normal vision and both deficiencies.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from data_model.charts.common import MIN_CVD_DISTANCE, STATUS_COLORS, TONE_COLORS
from data_model.charts.overview import status_bar

MACHADO_2009 = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
}
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
D65_WHITE = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(hex_color: str) -> np.ndarray:
    channels = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)


def lab(linear: np.ndarray) -> np.ndarray:
    xyz = SRGB_TO_XYZ @ np.clip(linear, 0, 1) / D65_WHITE
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def simulated_lab(hex_color: str, vision: str) -> np.ndarray:
    return lab(MACHADO_2009[vision] @ linear_rgb(hex_color))


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dh_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_mean, cp_mean = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_mean = (h1p + h2p) / 2
    else:
        h_mean = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    theta = 30 * math.exp(-(((h_mean - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp_mean**7 / (cp_mean**7 + 25**7))
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc = 1 + 0.045 * cp_mean
    sh = 1 + 0.015 * cp_mean * t
    rt = -math.sin(math.radians(2 * theta)) * rc
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (dh_big / sh) ** 2 + rt * (dc / sc) * (dh_big / sh)
    )


def test_ciede2000_matches_the_published_test_data():
    # Pairs 1, 7 and 17 of Sharma, Wu and Dalal's table.
    assert ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == (
        pytest.approx(2.0425, abs=1e-4)
    )
    assert ciede2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(
        27.1492, abs=1e-4
    )


def test_the_simulation_merges_what_it_should():
    # A classic red/green pair that deuteranopes confuse comes out close, so the check
    # below can fail.
    red, green = "#FF0000", "#7F8C00"
    seen = [simulated_lab(c, "deuteranopia") for c in (red, green)]
    assert ciede2000(*seen) < MIN_CVD_DISTANCE
    assert ciede2000(simulated_lab(red, "normal"), simulated_lab(green, "normal")) > 30


@pytest.mark.parametrize("vision", list(MACHADO_2009))
@pytest.mark.parametrize("palette", ["status", "tone"])
def test_palette_pairs_stay_apart(vision, palette):
    colors = STATUS_COLORS if palette == "status" else TONE_COLORS
    too_close = [
        (one, other, round(distance, 1))
        for one, other in itertools.combinations(colors, 2)
        if (
            distance := ciede2000(
                simulated_lab(colors[one], vision), simulated_lab(colors[other], vision)
            )
        )
        < MIN_CVD_DISTANCE
    ]
    assert not too_close


def test_good_and_bad_are_the_done_and_late_colours_and_neutral_is_grey():
    assert TONE_COLORS["good"] == STATUS_COLORS["completed"]
    assert TONE_COLORS["bad"] == STATUS_COLORS["overdue"]
    r, g, b = (int(TONE_COLORS["neutral"][i : i + 2], 16) for i in (1, 3, 5))
    assert r == g == b


def test_every_status_bar_is_named_beside_its_colour():
    counts = pd.DataFrame(
        {
            "status": ["completed", "overdue", "behind"],
            "label": ["已完成", "逾期", "滞后"],
            "count": [12, 3, 1],
        }
    )
    bar = status_bar(counts).data[0]
    assert list(bar.y) == ["已完成", "逾期", "滞后"]  # the text twin of each colour
    assert list(bar.marker.color) == [STATUS_COLORS[s] for s in counts["status"]]
    assert list(bar.text) == [12, 3, 1]
