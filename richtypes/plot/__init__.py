"""Charts: :class:`Chart` (a Table plus a Vega-Lite spec) and presets that build one."""

from .presets import (
    MAX_CLASSES,
    MAX_POINTS,
    Chart,
    bar,
    charts_html,
    confusion_matrix,
    histogram,
    line,
    line_series,
    pr_curve,
    roc_curve,
    scatter,
)

__all__ = [
    "Chart",
    "line",
    "scatter",
    "bar",
    "histogram",
    "line_series",
    "pr_curve",
    "roc_curve",
    "confusion_matrix",
    "charts_html",
    "MAX_POINTS",
    "MAX_CLASSES",
]
