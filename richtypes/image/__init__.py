"""Images and their annotations: :class:`Image`, :class:`BoundingBoxes2D`, :class:`ImageMask`, :class:`Classes`."""

from .boxes import BoundingBoxes2D
from .classes import Classes
from .image import Image, ImageLike
from .masks import ImageMask

__all__ = ["Image", "ImageLike", "BoundingBoxes2D", "ImageMask", "Classes"]
