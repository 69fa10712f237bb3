"""Ratios, goal checks, and the text and Markdown tables."""

from __future__ import annotations

from typing import Any

__all__ = ["PEERS", "add_ratios", "text_table", "markdown", "fmt_time", "fmt_bytes"]

#: The peer SDKs, in the order of the table's columns.
PEERS = ("rerun", "wandb", "tensorboardX")


def _ok(m: dict[str, Any] | None) -> bool:
    return bool(m) and m.get("status") == "ok"  # type: ignore[union-attr]


def _best(jobs: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    usable = [j for j in jobs if _ok(j) and isinstance(j.get(key), (int, float))]
    return min(usable, key=lambda j: j[key]) if usable else None


def _ratio(a: Any, b: Any) -> float | None:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and b > 0:
        return a / b
    return None


def add_ratios(case: dict[str, Any]) -> dict[str, Any]:
    """Add ``best_raw``, ``ratios`` and evaluated ``goals`` to one merged case (in place)."""
    rt = case.get("richtypes") or {}
    baselines = case.get("baselines") or []
    wandb = (case.get("peers") or {}).get("wandb") or {}
    best_enc = _best(baselines, "encode_s")
    best_dec = _best(baselines, "decode_s")
    best_bytes = _best(baselines, "bytes")
    case["best_raw"] = {
        "encode": best_enc and {"name": best_enc["name"], "encode_s": best_enc["encode_s"]},
        "decode": best_dec and {"name": best_dec["name"], "decode_s": best_dec["decode_s"]},
        "bytes": best_bytes and {"name": best_bytes["name"], "bytes": best_bytes["bytes"]},
    }
    ratios: dict[str, float | None] = {}
    if _ok(rt):
        ratios["encode_vs_best_raw"] = _ratio(rt.get("encode_s"), best_enc and best_enc["encode_s"])
        ratios["decode_vs_best_raw"] = _ratio(rt.get("decode_s"), best_dec and best_dec["decode_s"])
        ratios["bytes_vs_smallest_raw"] = _ratio(
            rt.get("bytes"), best_bytes and best_bytes["bytes"]
        )
        ratios["peak_traced_vs_input"] = _ratio(
            rt.get("peak_traced_bytes"), case.get("input_bytes")
        )
        for name, peer in (case.get("peers") or {}).items():
            if _ok(peer):
                ratios[f"encode_vs_{name}"] = _ratio(rt.get("encode_s"), peer.get("encode_s"))
                ratios[f"bytes_vs_{name}"] = _ratio(rt.get("bytes"), peer.get("bytes"))
                ratios[f"peak_traced_vs_{name}"] = _ratio(
                    rt.get("peak_traced_bytes"), peer.get("peak_traced_bytes")
                )
        if _ok(wandb):
            ratios["wandb_speedup"] = _ratio(wandb.get("encode_s"), rt.get("encode_s"))
    case["ratios"] = ratios
    for goal in case.get("goals") or []:
        goal.update(_evaluate(goal, case, rt, baselines, wandb, best_enc))
    return case


def _evaluate(
    goal: dict[str, Any],
    case: dict[str, Any],
    rt: dict[str, Any],
    baselines: list[dict[str, Any]],
    wandb: dict[str, Any],
    best_enc: dict[str, Any] | None,
) -> dict[str, Any]:
    if not _ok(rt):
        return {"value": None, "met": None, "why": "richtypes did not run"}
    if (
        goal["metric"] == "peak_mem_vs_input"
    ):  # the larger of the two memory figures: the conservative one
        peaks = [
            v
            for v in (rt.get("peak_traced_bytes"), rt.get("peak_rss_bytes"))
            if isinstance(v, (int, float))
        ]
        value = _ratio(max(peaks), case.get("input_bytes")) if peaks else None
    else:
        if goal["ref"] == "best_raw":
            ref = best_enc
        elif goal["ref"] == "wandb":
            ref = wandb if _ok(wandb) else None
        else:
            ref = next((b for b in baselines if b.get("name") == goal["ref"] and _ok(b)), None)
        if ref is None:
            return {"value": None, "met": None, "why": f"no result for {goal['ref']}"}
        value = _ratio(rt.get("encode_s"), ref.get("encode_s"))
    if value is None:
        return {"value": None, "met": None, "why": "missing figure"}
    if goal["kind"] == "min_speedup":
        speedup = 1 / value if value else float("inf")
        return {"value": speedup, "met": speedup >= goal["limit"]}
    return {"value": value, "met": value <= goal["limit"]}


# ------------------------------------------------------------------ formatting
def fmt_time(s: Any) -> str:
    if not isinstance(s, (int, float)):
        return "-"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} µs"


def fmt_bytes(n: Any) -> str:
    if not isinstance(n, (int, float)):
        return "-"
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{int(n)} B"


def fmt_ratio(r: Any) -> str:
    return f"{r:.2f}x" if isinstance(r, (int, float)) else "-"


def _status(m: dict[str, Any]) -> str:
    return m.get("status", "-") if m else "-"


def _goal_text(case: dict[str, Any]) -> str:
    parts = []
    for g in case.get("goals") or []:
        mark = {True: "met", False: "MISSED", None: "n/a"}[g.get("met")]
        val = g.get("value")
        shown = f"{val:.2f}x" if isinstance(val, (int, float)) else "-"
        sign = ">=" if g["kind"] == "min_speedup" else "<="
        parts.append(f"{shown} ({sign} {g['limit']:g}x) {mark}")
    return "; ".join(parts)


_HEADERS = [
    "case",
    "richtypes encode",
    "decode",
    "bytes",
    "peak mem",
    "best raw",
    "raw encode",
    "x raw",
    *[h for name in PEERS for h in (name, f"x {name}")],
    "goals",
]


def _peer_cells(case: dict[str, Any], name: str) -> list[str]:
    """``[time, bytes]`` of one peer and ``richtypes / peer`` for time (and bytes)."""
    peer = (case.get("peers") or {}).get(name) or {}
    if not _ok(peer):
        return [_status(peer), "-"]
    r = case.get("ratios") or {}
    ratio = fmt_ratio(r.get(f"encode_vs_{name}"))
    if isinstance(r.get(f"bytes_vs_{name}"), (int, float)):
        ratio += f" ({fmt_ratio(r[f'bytes_vs_{name}'])} B)"
    return [f"{fmt_time(peer.get('encode_s'))}, {fmt_bytes(peer.get('bytes'))}", ratio]


def _row(case: dict[str, Any]) -> list[str]:
    rt = case.get("richtypes") or {}
    best = (case.get("best_raw") or {}).get("encode") or {}
    r = case.get("ratios") or {}
    if _ok(rt):
        rt_cells = [
            fmt_time(rt.get("encode_s")),
            fmt_time(rt.get("decode_s")),
            fmt_bytes(rt.get("bytes")),
            fmt_bytes(rt.get("peak_traced_bytes")),
        ]
    else:
        rt_cells = [f"richtypes: {_status(rt)}", "-", "-", "-"]
    return [
        case["id"],
        *rt_cells,
        best.get("name", "-"),
        fmt_time(best.get("encode_s")),
        fmt_ratio(r.get("encode_vs_best_raw")),
        *[cell for name in PEERS for cell in _peer_cells(case, name)],
        _goal_text(case),
    ]


def text_table(cases: list[dict[str, Any]]) -> str:
    rows = [_HEADERS] + [_row(c) for c in cases]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_HEADERS) - 1)]
    lines = []
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths)]
        lines.append("  ".join(cells) + "  " + row[-1])
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(doc: dict[str, Any]) -> str:
    """The whole results document as Markdown, ready to paste into a README."""
    m = doc["machine"]
    lines = [
        f"Benchmarks of richtypes {m.get('richtypes') or ''} (commit {m.get('richtypes_commit') or '?'}), {m['date']}.",
        "",
        f"Machine: {m['cpu_model']}, {m['cores']} cores ({m['usable_cores']} usable), "
        f"{fmt_bytes(m.get('memory_bytes'))} RAM, {m['os']}; load average at start {m.get('load_average_1_5_15')}. "
        f"Python {m['python']}, numpy {m['numpy']}, Pillow {m['pillow']}, isal {m.get('isal') or 'not installed'}; "
        f"peers: rerun-sdk {m.get('rerun') or 'not installed'}, wandb {m.get('wandb') or 'not installed'}, "
        f"tensorboardX {m.get('tensorboardX') or 'not installed'}.",
        "",
        f"Reproduce: `{doc['command']}`",
        "",
        f"Median of {doc['args']['repeats']} runs after a warm-up (short jobs run on to 0.3 s of runs, "
        f"at most {3 * doc['args']['repeats']}; any job stops past 12 s), each workload in a fresh process, "
        "each run into a fresh directory; encode = construct + write every file (JSON included); "
        "decode = read back to objects. Peak mem = tracemalloc peak (Python + numpy allocations) during one encode. "
        "x raw = richtypes encode / fastest raw baseline. Each peer column: the peer's encode time and bytes on disk; "
        "x peer = richtypes encode / peer encode (below 1.00x: richtypes is faster), and in brackets richtypes bytes / peer bytes. "
        "Peers log the same inputs to their own files: rerun to an .rrd recording, wandb offline, tensorboardX to an event file.",
        "",
        "| " + " | ".join(_HEADERS) + " |",
        "|" + "---|" * len(_HEADERS),
    ]
    for case in doc["cases"]:
        lines.append("| " + " | ".join(_md_escape(c) for c in _row(case)) + " |")
    goal_lines = []
    for case in doc["cases"]:
        for g in case.get("goals") or []:
            val = g.get("value")
            if g.get("met") is None:
                verdict = f"not measured ({g.get('why', 'n/a')})"
            elif g["kind"] == "min_speedup":
                verdict = f"{val:.2f}x faster, goal >= {g['limit']:g}x: " + (
                    "met" if g["met"] else f"MISSED (reaches {val / g['limit']:.0%} of the goal)"
                )
            else:
                verdict = f"{val:.2f}x, goal <= {g['limit']:g}x: " + (
                    "met" if g["met"] else f"MISSED by {val / g['limit']:.2f}x"
                )
            goal_lines.append(f"- {case['id']}: {g['text']} (vs {g['ref']}): {verdict}")
    if goal_lines:
        lines += ["", "Goals (from the issues):", ""] + [_md_escape(x) for x in goal_lines]
    lines += ["", "Baselines and peers per case:", ""]
    for case in doc["cases"]:
        parts = []
        for b in case.get("baselines") or []:
            if _ok(b):
                parts.append(
                    f"{b['name']} {fmt_time(b.get('encode_s'))} / {fmt_bytes(b.get('bytes'))}"
                )
            else:
                parts.append(f"{b.get('name')}: {b.get('status')} ({b.get('reason', '')})")
        line = f"- **{case['id']}** ({case['title']}): " + "; ".join(parts)
        rt = case.get("richtypes") or {}
        if not _ok(rt):
            line += f". richtypes {rt.get('status', '-')}: {rt.get('reason', '')}"
        elif rt.get("roundtrip_equal") is False:
            line += ". richtypes round trip NOT equal"
        for name in PEERS:
            peer = (case.get("peers") or {}).get(name) or {}
            if peer and not _ok(peer):
                line += f". {name} {peer.get('status')}: {peer.get('reason', '')}"
            elif peer.get("note"):
                line += f". {name}: {peer['note']}"
        lines.append(_md_escape(line))
    errors = [w for w in doc.get("workloads", []) if w.get("error")]
    if errors:
        lines += ["", "Workloads that failed to run:", ""]
        lines += [f"- {w['id']} ({w.get('part')}): {_md_escape(str(w['error']))}" for w in errors]
    return "\n".join(lines) + "\n"
