"""The inline SVG charts: valid XML, escaped labels, whiskers and points where expected."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from trialscope.report.statistics import reliability_bins
from trialscope.report.svg_charts import (
    Bar,
    ReliabilitySeries,
    bar_chart,
    grouped_columns,
    reliability_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart_draws_bars_whiskers_and_dots_with_escaped_labels() -> None:
    bars = [
        Bar("<model & co>", 0, 0.6, (0.5, 0.7)),
        Bar("other", 1, 0.4, None, dots=(0.3, 0.5)),
    ]
    svg = bar_chart("Arm design", bars, percent=True)
    root = ET.fromstring(svg)
    assert len(root.findall(f".//{SVG}rect")) == 2
    assert len(root.findall(f".//{SVG}path")) == 1  # one whisker, the other bar has no interval
    assert len(root.findall(f".//{SVG}circle")) == 2
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "<model & co>" in labels and "60.0" in labels


def test_bar_chart_scales_non_fraction_metrics_to_their_largest_value() -> None:
    svg = bar_chart("MAE", [Bar("a", 0, 400.0), Bar("b", 1, 1200.0)], percent=False)
    widths = [float(r.get("width", 0)) for r in ET.fromstring(svg).iter(f"{SVG}rect")]
    assert widths[1] > widths[0] * 2.5


def test_reliability_chart_has_a_point_per_bin_and_the_ece_in_its_legend() -> None:
    bins, ece = reliability_bins([(0.9, 1.0), (0.9, 0.0), (0.2, 0.0)])
    svg = reliability_chart("Screening", [ReliabilitySeries("m", 0, bins, ece)])
    root = ET.fromstring(svg)
    assert len(root.findall(f".//{SVG}circle")) == 2
    assert any("ECE 0.333" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_grouped_columns_skip_missing_components() -> None:
    svg = grouped_columns(
        "Components",
        ["recall", "report"],
        [("a", 0, {"recall": 0.5}), ("b", 1, {"recall": 1.0, "report": 0.2})],
    )
    assert len(ET.fromstring(svg).findall(f".//{SVG}rect")) == 3
