"""A short seeded run of the sidecar fuzzer: mutated sidecar bytes decode or raise typed errors.

The long campaign is ``python -m benchmarks.fuzz_sidecars --cases 100000``.
"""

from __future__ import annotations

import random

from benchmarks.fuzz_sidecars import campaign, load_seeds, mutate


def test_mutations_are_reproducible_and_change_the_bytes() -> None:
    data = bytes(range(256)) * 4
    first = [mutate(data, random.Random(f"7-{i}")) for i in range(50)]
    again = [mutate(data, random.Random(f"7-{i}")) for i in range(50)]
    assert first == again
    assert sum(m != data for m in first) >= 45


def test_every_type_with_sidecars_is_fuzzed() -> None:
    kinds = {seed["name"].split("/")[0] for seed in load_seeds()}
    assert {"image", "mask", "video", "audio", "table", "object3d", "boxes2d"} <= kinds


def test_a_short_campaign_finds_no_untyped_error_hang_or_memory_blowup() -> None:
    report = campaign(cases=400, seed=20261202, timeout=60.0, max_rss=None)
    bad = {k: v for k, v in report["counts"].items() if k not in ("ok", "typed")}
    assert bad == {}, report["untyped"]
    assert report["counts"]["ok"] + report["counts"]["typed"] == 400
