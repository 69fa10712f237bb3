"""richtypes: typed, validated, versioned, fast file formats for ML media.

Media objects validate at construction, encode to versioned JSON plus
content-addressed sidecar files with :func:`dump`, and decode back equal with
:func:`load`. A run (:func:`init`, :func:`log`, :func:`finish`) logs steps of
them into a local directory that :func:`open_run` reads back.
"""

from . import plot
from . import runlog as _runlog
from ._version import __version__
from .audio import Audio
from .core.errors import (
    FormatError,
    IntegrityError,
    MissingDependencyError,
    RichTypesError,
    ValidationError,
)
from .core.nest import dump, load
from .core.parallel import encode_many
from .histogram import Histogram
from .html import HTML, Html
from .image import BoundingBoxes2D, Classes, Image, ImageMask
from .object3d import Object3D, box3d
from .plot import Chart
from .runlog import (
    HistoryWriteError,
    NoActiveRunError,
    Run,
    RunError,
    RunReader,
    config,
    finish,
    init,
    log,
    log_artifact,
    open_run,
)
from .store import Store
from .table import Table
from .video import Video

__all__ = [
    # media types
    "Histogram",
    "Image",
    "ImageMask",
    "Classes",
    "BoundingBoxes2D",
    "Object3D",
    "box3d",
    "Table",
    "Chart",
    "plot",
    "Html",
    "HTML",
    "Video",
    "Audio",
    # encoding and decoding
    "dump",
    "load",
    "encode_many",
    "Store",
    # the run log
    "init",
    "log",
    "finish",
    "log_artifact",
    "config",
    "Run",
    "open_run",
    "RunReader",
    # errors
    "RichTypesError",
    "ValidationError",
    "FormatError",
    "IntegrityError",
    "MissingDependencyError",
    "RunError",
    "NoActiveRunError",
    "HistoryWriteError",
    "__version__",
]


def __getattr__(name: str):
    # ``richtypes.run``: the current Run (None when there is none), looked up on each access
    if name == "run":
        return _runlog.current_run()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | {"run"})
