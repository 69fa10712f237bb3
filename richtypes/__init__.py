"""richtypes: typed, validated, versioned, fast file formats for ML media.

Media objects validate at construction, encode to versioned JSON plus
content-addressed sidecar files with :func:`dump`, and decode back equal with
:func:`load`.
"""

from ._nest import dump, encode_many, load
from .errors import FormatError, IntegrityError, MissingDependencyError, RichTypesError, ValidationError
from .histogram import Histogram
from .store import Store

__version__ = "0.1.0"

__all__ = [
    "Histogram",
    "Store",
    "dump",
    "load",
    "encode_many",
    "RichTypesError",
    "ValidationError",
    "FormatError",
    "IntegrityError",
    "MissingDependencyError",
    "__version__",
]
