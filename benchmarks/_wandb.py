"""The reference SDK, ``wandb``, as a peer: offline, silent, in a temporary directory.

Each peer job does what ``run.log({key: value})`` does before handing the
step to wandb's service: construct the media object, bind it to the run
(which moves or writes its files under the run's ``files/media`` directory)
and serialize it with ``to_json(run)``; that is
``wandb.sdk.data_types.utils.val_to_json``, the function ``run.log`` calls.
The job then writes the returned JSON to a file, as richtypes' jobs write
their document. Bytes written are the new files under wandb's temporary tree
(run media and artifact staging copies, e.g. of a logged table) plus that JSON
file. ``wandb.init`` itself is set-up, not timed.

Never contacts a server: ``WANDB_MODE=offline`` and every wandb directory
(run, cache, config, data, artifacts) points into the benchmark's temporary
directory.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._measure import Job, Unavailable, dir_size

__all__ = ["WandbPeer", "start_wandb"]


def configure_env(tmp: Path) -> None:
    """Point every wandb setting at ``tmp`` and force offline, silent mode."""
    os.environ["WANDB_MODE"] = "offline"
    os.environ["WANDB_SILENT"] = "true"
    os.environ["WANDB_CONSOLE"] = "off"
    os.environ["WANDB_DISABLE_GIT"] = "true"
    os.environ["WANDB_DISABLE_CODE"] = "true"
    os.environ["WANDB_DIR"] = str(tmp)
    for var, sub in (
        ("WANDB_CACHE_DIR", "cache"),
        ("WANDB_CONFIG_DIR", "config"),
        ("WANDB_DATA_DIR", "data"),
        ("WANDB_ARTIFACT_DIR", "artifacts"),
    ):
        os.environ[var] = str(tmp / sub)
        (tmp / sub).mkdir(parents=True, exist_ok=True)


class WandbPeer:
    """An offline wandb run and helpers to build peer jobs on it."""

    def __init__(self, wandb: Any, run: Any, tmp: Path) -> None:
        self.wandb = wandb
        self.run = run
        self.tmp = tmp
        self.version = getattr(wandb, "__version__", "?")
        self._keys = itertools.count()
        from wandb.sdk.data_types.utils import val_to_json

        self._val_to_json = val_to_json

    def log_value(self, key: str, value: Any) -> Any:
        """What ``run.log`` does to one value before publishing it: bind, write files, ``to_json``."""
        return self._val_to_json(self.run, key, value, namespace=0)

    def job(self, build: Callable[[], Any], *, note: str = "", chart: bool = False) -> Job:
        """A job that builds a wandb value with ``build()`` and logs it under a fresh key.

        With ``chart=True`` ``build`` returns a ``wandb.plot`` chart; it is
        handled as ``run.log`` handles charts (its spec goes to the run config,
        its table is logged).
        """
        watched = self.tmp

        def encode(out_dir: Path) -> Any:
            key = f"k{next(self._keys)}"
            before = _file_set(watched)
            value = build()
            if chart:
                value.set_key(key)
                self.run._config_callback(val=value.spec.config_value, key=value.spec.config_key)
                doc = self.log_value(value.spec.table_key, value.table)
            else:
                doc = self.log_value(key, value)
            doc_path = out_dir / "doc.json"
            doc_path.write_text(json.dumps(doc, default=str))
            return sorted(_file_set(watched) - before)

        def written(out_dir: Path, new_files: Any) -> tuple[int, int]:
            doc_bytes, doc_files = dir_size(out_dir)
            media = sum(os.path.getsize(p) for p in new_files if os.path.isfile(p))
            return doc_bytes + media, doc_files + len(new_files)

        return Job(
            "wandb",
            encode,
            written=written,
            note=note,
            decode_note="wandb has no local reader for logged media (the server renders it)",
        )

    def finish(self) -> None:
        try:
            self.run.finish(quiet=True)
        except TypeError:
            self.run.finish()


def _file_set(root: Path) -> set[str]:
    """Every file under ``root`` except wandb's own logs (media, tables, artifact staging copies)."""
    out = set()
    for dirpath, _dirs, names in os.walk(root):
        if os.sep + "logs" in dirpath:
            continue
        for name in names:
            if not name.endswith((".wandb", ".log")):
                out.add(os.path.join(dirpath, name))
    return out


def start_wandb(tmp: Path) -> WandbPeer | Unavailable:
    """Start an offline wandb run under ``tmp``, or say why it cannot run."""
    configure_env(tmp)
    try:
        import wandb
    except ImportError:
        return Unavailable("wandb", "wandb is not installed (pip install 'richtypes[bench]')")
    try:
        run = wandb.init(
            mode="offline",
            dir=str(tmp),
            project="richtypes-bench",
            settings=wandb.Settings(silent=True),
        )
    except Exception as exc:  # noqa: BLE001 - any failure to start is reported, not raised
        return Unavailable(
            "wandb", f"wandb.init(mode='offline') failed: {type(exc).__name__}: {exc}"[:300]
        )
    return WandbPeer(wandb, run, tmp)


def wandb_peers(
    peer: WandbPeer | Unavailable | None, job: Callable[[WandbPeer, Any], Job | Unavailable]
) -> dict[str, Job | Unavailable]:
    """``{"wandb": job(peer, peer.wandb)}``, or ``{"wandb": <why it is unavailable>}`` when there is no usable peer."""
    missing = maybe_unavailable(peer)
    if missing:
        return {"wandb": missing}
    assert isinstance(peer, WandbPeer)
    return {"wandb": job(peer, peer.wandb)}


def maybe_unavailable(
    peer: WandbPeer | Unavailable | None, reason_if_none: str = "peers disabled (--no-peers)"
) -> Unavailable | None:
    """The :class:`Unavailable` to report when there is no usable peer, else ``None``."""
    if peer is None:
        return Unavailable("wandb", reason_if_none, status="skipped")
    if isinstance(peer, Unavailable):
        return peer
    return None
