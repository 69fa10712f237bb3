"""W7 table, W8 line chart."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import (
    Case,
    Goal,
    guard,
    json_job,
    msgpack_job,
    npy_job,
    richtypes_attr,
    richtypes_job,
)
from ._measure import Job, Unavailable
from ._wandb import WandbPeer, maybe_unavailable, wandb_peers

__all__ = ["w7", "w8", "make_table_columns"]

COLUMNS = ["id", "score", "label", "correct", "loss", "count"]


def make_table_columns(n: int, seed: int = 0) -> dict[str, Any]:
    """Six mixed columns (int, float, str, bool, float, int) of ``n`` rows."""
    rng = np.random.default_rng(seed)
    names = np.array(["cat", "dog", "bird", "fish", "horse", "sheep", "cow", "frog"])
    return {
        "id": np.arange(n, dtype=np.int64),
        "score": rng.random(n),
        "label": [
            f"{s}_{i % 97}" for i, s in enumerate(names[rng.integers(0, len(names), n)].tolist())
        ],
        "correct": rng.random(n) > 0.5,
        "loss": rng.exponential(1.0, n),
        "count": rng.integers(0, 1000, n, dtype=np.int64),
    }


def w7(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W7: a table of 100,000 rows x 6 mixed columns, from columns, rows and a DataFrame."""
    n = 200 if quick else 100_000
    cols = make_table_columns(n)
    as_lists = {k: (v.tolist() if isinstance(v, np.ndarray) else list(v)) for k, v in cols.items()}
    rows = [list(r) for r in zip(*(as_lists[c] for c in COLUMNS))]
    raw_cols = {k: (v.tobytes() if isinstance(v, np.ndarray) else v) for k, v in cols.items()}
    baselines: list[Job | Unavailable] = [
        msgpack_job(as_lists, name="msgpack (columns as lists)"),
        msgpack_job(raw_cols, name="msgpack (numeric columns as raw bytes)"),
    ]
    Table = richtypes_attr("Table")
    peer_missing = maybe_unavailable(peer)
    wandb = None if peer_missing else peer.wandb  # type: ignore[union-attr]
    try:
        import pandas as pd

        df: Any = pd.DataFrame(cols)
    except ImportError:
        df = None

    forms: list[tuple[str, str, Any]] = [
        ("columns", "Table.from_columns({...})", lambda: Table.from_columns(cols)),
        ("rows", "Table(columns=..., data=rows)", lambda: Table(columns=COLUMNS, data=rows)),
        ("dataframe", "Table(dataframe=df)", lambda: Table(dataframe=df)),
    ]
    cases = []
    for form, how, build in forms:
        rt: Job | Unavailable
        missing = guard(Table)
        if missing:
            rt = missing
        elif form == "dataframe" and df is None:
            rt = Unavailable("richtypes", "pandas is not installed")
        else:
            try:
                reference = build()
                rt = richtypes_job(build, reference=reference, note=how)
            except Exception as exc:  # noqa: BLE001 - an API mismatch is a result
                rt = Unavailable(
                    "richtypes", f"{how}: {type(exc).__name__}: {exc}"[:300], status="error"
                )
        peers: dict[str, Job | Unavailable] = {}
        if peer_missing:
            peers["wandb"] = peer_missing
        elif form == "columns":
            peers["wandb"] = Unavailable(
                "wandb",
                "wandb.Table has no columnar constructor (see the rows and dataframe cases)",
                status="n/a",
            )
        elif form == "rows":
            peers["wandb"] = peer.job(
                lambda: wandb.Table(columns=COLUMNS, data=rows), note=_WANDB_TABLE_NOTE
            )  # type: ignore[union-attr]
        elif df is not None:
            peers["wandb"] = peer.job(lambda: wandb.Table(dataframe=df), note=_WANDB_TABLE_NOTE)  # type: ignore[union-attr]
        cases.append(
            Case(
                id=f"W7.{form}",
                title=f"table {n:,} rows x 6 mixed columns, from {form}",
                richtypes=rt,
                baselines=list(baselines),
                peers=peers,
                goals=[Goal("not slower than msgpack", "encode", "msgpack (columns as lists)", 1.0)]
                if form == "columns"
                else [],
                input_bytes=int(
                    sum(v.nbytes for v in cols.values() if isinstance(v, np.ndarray))
                    + sum(len(s) for s in cols["label"])
                ),
                params={"rows": n, "columns": COLUMNS},
                inputs={"form": form, "cols": cols, "rows": rows, "df": df},
            )
        )
    return cases


_WANDB_TABLE_NOTE = (
    "wandb writes the table twice: the run's media copy is truncated to "
    "wandb.Table.MAX_ROWS (10,000) rows, the artifact staging copy holds all rows"
)


def w8(quick: bool, peer: WandbPeer | Unavailable | None) -> list[Case]:
    """W8: a line chart of 10,000 rows."""
    n = 100 if quick else 10_000
    rng = np.random.default_rng(0)
    x = np.arange(n, dtype=np.int64)
    y = np.cumsum(rng.standard_normal(n))
    records = [{"x": a, "y": b} for a, b in zip(x.tolist(), y.tolist())]
    Table = richtypes_attr("Table")
    plot = richtypes_attr("plot")
    missing = guard(Table, plot)
    rt: Job | Unavailable
    if missing:
        rt = missing
    elif not hasattr(plot, "line"):
        rt = Unavailable("richtypes", "richtypes.plot.line is not available yet")
    else:

        def build() -> Any:
            return plot.line(Table.from_columns({"x": x, "y": y}), "x", "y", title="loss")

        try:
            rt = richtypes_job(build, reference=build())
        except Exception as exc:  # noqa: BLE001
            rt = Unavailable(
                "richtypes", f"plot.line: {type(exc).__name__}: {exc}"[:300], status="error"
            )
    rows = [[a, b] for a, b in zip(x.tolist(), y.tolist())]
    peers = wandb_peers(
        peer,
        lambda p, wandb: p.job(
            lambda: wandb.plot.line(
                wandb.Table(columns=["x", "y"], data=rows), "x", "y", title="loss"
            ),
            chart=True,
        ),
    )
    return [
        Case(
            id="W8",
            title=f"line chart of {n:,} rows",
            richtypes=rt,
            baselines=[
                json_job(records, lib="json"),
                json_job(records, lib="orjson"),
                npy_job({"x": x, "y": y}),
            ],
            peers=peers,
            goals=[Goal("within 3x of writing its two columns raw", "encode", "best_raw", 3.0)],
            input_bytes=x.nbytes + y.nbytes,
            params={"rows": n},
            inputs={"x": x, "y": y},
        )
    ]
