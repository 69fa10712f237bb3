"""``Classes``: one class set (id, name, optional colour) shared by an image's boxes and masks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Union

import numpy as np

from ..core.errors import FormatError, PathKey, ValidationError
from ..core.media import Media, field, register
from ..store.local import Store

__all__ = ["Classes", "ClassesLike", "MAX_CLASS_ID"]

#: The largest class id (masks store ids as 16-bit PNG).
MAX_CLASS_ID = 65535

ClassesLike = Union["Classes", Mapping[int, str], Sequence[Mapping[str, Any]]]
_ENTRY_KEYS = {"id", "name", "color"}


@register
class Classes(Media):
    """A set of classes: each has an integer id, a name and optionally an RGB colour.

    Parameters
    ----------
    classes:
        ``{0: "cat", 1: "dog"}``, or a list of ``{"id": 0, "name": "cat",
        "color": [r, g, b]}`` dicts (``color`` optional), or a ``Classes``.
        Ids are unique integers in 0..65535; names are strings; colour
        components are integers in 0..255.

    Raises
    ------
    ValidationError
        Naming the entry and field, e.g. ``$[1].color[2]: must be an integer in 0..255, got 300``.

    Examples
    --------
    >>> c = Classes([{"id": 0, "name": "bg"}, {"id": 3, "name": "cat", "color": [255, 0, 0]}])
    >>> c.names, c.ids.tolist(), c.colors[3], 3 in c, len(c)
    ({0: 'bg', 3: 'cat'}, [0, 3], (255, 0, 0), True, 2)
    >>> Classes({0: "bg", 3: "cat"}).names == c.names
    True
    """

    _type = "classes"
    _version = 1

    ids: np.ndarray
    names: dict[int, str]
    colors: dict[int, tuple[int, int, int] | None]

    def __init__(self, classes: ClassesLike) -> None:
        if isinstance(classes, Classes):
            entries = [(i, classes.names[i], classes.colors[i]) for i in classes.names]
        elif isinstance(classes, Mapping):
            entries = [
                (_class_id(k, (k,) if isinstance(k, (str, int)) else ()), _name(v, (k,)), None)
                for k, v in classes.items()
            ]
        elif isinstance(classes, (list, tuple)):
            entries = [_entry(item, (i,)) for i, item in enumerate(classes)]
        else:
            raise ValidationError(
                "must be a dict of class id -> name or a list of {id, name, color} dicts",
                value=classes,
                path=(),
            )
        seen: dict[int, int] = {}
        for position, (class_id, _, _) in enumerate(entries):
            if class_id in seen:
                where = (
                    (position, "id")
                    if isinstance(classes, (list, tuple))
                    else (list(classes)[position],)
                )
                raise ValidationError("duplicate class id", value=class_id, path=where)
            seen[class_id] = position
        ids = np.array([e[0] for e in entries], dtype=np.int64)
        ids.flags.writeable = False
        self.ids = ids
        self.names = {e[0]: e[1] for e in entries}
        self.colors = {e[0]: e[2] for e in entries}
        self._freeze()

    @classmethod
    def coerce(cls, value: Any, path: Sequence[PathKey]) -> Classes:
        """``value`` as ``Classes``, errors prefixed with ``path``."""
        if isinstance(value, Classes):
            return value
        try:
            return cls(value)
        except ValidationError as err:
            raise err.with_prefix(*path) from None

    def __contains__(self, class_id: object) -> bool:
        return class_id in self.names

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[int]:
        return iter(self.names)

    def missing(self, ids: np.ndarray) -> np.ndarray:
        """A boolean mask: which of ``ids`` are not in this set (vectorized)."""
        return ~np.isin(np.asarray(ids), self.ids)

    def __repr__(self) -> str:
        return f"Classes({self.names!r})"

    def _content(self) -> tuple[Any, ...]:
        return (self.names, self.colors)

    def to_json(self, store: Store) -> dict[str, Any]:
        entries = []
        for class_id, name in self.names.items():
            entry: dict[str, Any] = {"id": class_id, "name": name}
            if self.colors[class_id] is not None:
                entry["color"] = list(self.colors[class_id])  # type: ignore[arg-type]
            entries.append(entry)
        return self._envelope(classes=entries)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Classes:
        entries = field(doc, "classes", list)
        try:
            return cls(entries)
        except ValidationError as exc:
            raise FormatError(f"classes: invalid document: {exc}") from None


def _class_id(value: Any, path: tuple[PathKey, ...]) -> int:
    if isinstance(value, str) and value.isdigit() and value.isascii():
        value = int(value)  # JSON object keys are strings
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or not 0 <= value <= MAX_CLASS_ID
    ):
        raise ValidationError(
            f"class id must be an integer in 0..{MAX_CLASS_ID}", value=value, path=path
        )
    return int(value)


def _name(value: Any, path: tuple[PathKey, ...]) -> str:
    if not isinstance(value, str):
        raise ValidationError("class name must be a string", value=value, path=path)
    return value


def _entry(item: Any, path: tuple[PathKey, ...]) -> tuple[int, str, tuple[int, int, int] | None]:
    if not isinstance(item, Mapping):
        raise ValidationError(
            "must be a dict with 'id', 'name' and optionally 'color'", value=item, path=path
        )
    unknown = sorted(set(item) - _ENTRY_KEYS, key=str)
    if unknown:
        raise ValidationError("unknown key (expected id, name, color)", value=unknown[0], path=path)
    for key in ("id", "name"):
        if key not in item:
            raise ValidationError(f"missing {key!r}", path=path)
    color = item.get("color")
    if color is not None:
        color = _color(color, path + ("color",))
    return _class_id(item["id"], path + ("id",)), _name(item["name"], path + ("name",)), color


def _color(value: Any, path: tuple[PathKey, ...]) -> tuple[int, int, int]:
    if not isinstance(value, (list, tuple, np.ndarray)) or len(value) != 3:
        raise ValidationError("must be [r, g, b]", value=value, path=path)
    out = []
    for i, component in enumerate(value):
        if (
            isinstance(component, (bool, np.bool_))
            or not isinstance(component, (int, np.integer))
            or not 0 <= component <= 255
        ):
            raise ValidationError("must be an integer in 0..255", value=component, path=path + (i,))
        out.append(int(component))
    return (out[0], out[1], out[2])
