"""Demo: every chart preset, and a standalone HTML page that draws charts in a browser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..plot import presets as plot
from ..plot.presets import Chart
from ..table.table import Table


def example() -> dict[str, Any]:
    """One chart per preset, on a small training run and a 3-class classifier."""
    rng = np.random.default_rng(0)
    steps = np.arange(200)
    history = Table.from_columns(
        {
            "step": np.concatenate([steps, steps]),
            "loss": np.concatenate([np.exp(-steps / 60.0), np.exp(-steps / 45.0) + 0.05])
            + rng.normal(0, 0.01, 400),
            "run": ["baseline"] * 200 + ["wider"] * 200,
        }
    )
    classes = ["cat", "dog", "bird"]
    y_true = rng.integers(0, 3, 5000)
    logits = rng.normal(0.0, 1.0, (5000, 3)) + 1.5 * np.eye(3)[y_true]
    probas = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    per_class = Table.from_columns({"class": classes, "accuracy": [0.91, 0.84, 0.77]})
    return {
        "line": plot.line(history, "step", "loss", stroke="run", title="training loss"),
        "scatter": plot.scatter(
            Table.from_columns(
                {"confidence": probas.max(axis=1)[:300], "loss": -np.log(probas.max(axis=1)[:300])}
            ),
            "confidence",
            "loss",
            title="loss vs confidence",
        ),
        "bar": plot.bar(per_class, "class", "accuracy", title="accuracy per class"),
        "histogram": plot.histogram(
            Table.from_columns({"confidence": probas.max(axis=1)}), "confidence", title="confidence"
        ),
        "line_series": plot.line_series(
            steps,
            [np.sqrt(steps), np.log1p(steps)],
            keys=["sqrt", "log1p"],
            title="schedules",
            xname="step",
        ),
        "pr_curve": plot.pr_curve(y_true, probas, labels=classes),
        "roc_curve": plot.roc_curve(y_true, probas, labels=classes),
        "confusion_matrix": plot.confusion_matrix(y_true, probas, class_names=classes),
    }


def charts_html(charts: Mapping[str, Chart], title: str = "richtypes charts") -> str:
    """The demo's HTML page: :func:`richtypes.plot.charts_html` (kept here for the demo's callers)."""
    return plot.charts_html(charts, title=title)
