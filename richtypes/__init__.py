"""richtypes: typed, validated, versioned, fast file formats for ML media.

Media objects validate at construction, encode to versioned JSON plus
content-addressed sidecar files with :func:`dump`, and decode back equal with
:func:`load`.
"""

from ._nest import dump, encode_many, load
from .errors import FormatError, IntegrityError, MissingDependencyError, RichTypesError, ValidationError
from .boxes import BoundingBoxes2D
from .histogram import Histogram
from .image import Image
from .masks import ImageMask
from .classes import Classes
from .object3d import Object3D, box3d
from .html import HTML, Html
from .video import Video
from .audio import Audio
from ._run_reader import RunReader, open_run
from .runlog import NoActiveRunError, Run, RunError, config, finish, init, log, log_artifact
from . import runlog as _runlog
from .store import Store
from .table import Table
from . import plot
from .plot import Chart

__version__ = "0.1.0"

__all__ = [
    "Audio",
    "HTML",
    "Html",
    "Video",
    "BoundingBoxes2D",
    "Chart",
    "Histogram",
    "Image",
    "ImageMask",
    "Classes",
    "Object3D",
    "box3d",
    "Store",
    "Table",
    "plot",
    "dump",
    "load",
    "encode_many",
    "RichTypesError",
    "ValidationError",
    "FormatError",
    "IntegrityError",
    "MissingDependencyError",
    "init",
    "log",
    "finish",
    "log_artifact",
    "config",
    "Run",
    "RunError",
    "NoActiveRunError",
    "open_run",
    "RunReader",
    "__version__",
]


def __getattr__(name: str):
    # ``richtypes.run``: the current Run (None when there is none), looked up on each access
    if name == "run":
        return _runlog.current_run()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
