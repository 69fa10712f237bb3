"""``Classes``: one class set (id, name, optional colour) shared by an image's boxes and masks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Union

import numpy as np

from ..core.errors import PathKey, ValidationError
from ..core.media import Media, field, register
from ..store.local import Store

__all__ = [
    "Classes",
    "ClassesLike",
    "MAX_CLASS_ID",
    "ID_PROBLEM",
    "class_entries",
    "class_labels",
    "first_bad_id",
]

#: The largest class id, for every class set (boxes, masks, point categories)
#: and every class id: ids are integers in 0..2**31-1, so they fit an int32
#: column and a JavaScript number in every consumer. (Masks further store
#: their pixel ids in a 16-bit PNG: 0..65535.)
MAX_CLASS_ID = 2**31 - 1
#: The one wording of a bad class id.
ID_PROBLEM = f"class id must be an integer in 0..{MAX_CLASS_ID}"

ClassesLike = Union["Classes", Mapping[int, str], Sequence[Mapping[str, Any]], Sequence[str]]
_ENTRY_KEYS = {"id", "name", "color"}
_FORMS = "must be a dict of class id -> name, a list of names or a list of {id, name, color} dicts"
Entry = tuple[int, str, tuple[int, int, int] | None]


def class_entries(value: Any, path: Sequence[PathKey] = ()) -> list[Entry]:
    """The one class-set validator: ``(id, name, colour or None)`` entries in the order given.

    Accepted forms: a :class:`Classes`; a mapping ``{id: name}`` (ids may be
    ints or decimal strings, as JSON object keys are); a list of names (the id
    is the position); a list of ``{"id", "name", "color"}`` dicts (``color``
    optional). Ids are unique integers in 0..:data:`MAX_CLASS_ID`, names are
    strings, colour components integers in 0..255.

    Raises
    ------
    ValidationError
        Naming the entry under ``path``, e.g. ``$.class_labels.cat: class id
        must be an integer in 0..2147483647, got 'cat'``.

    Examples
    --------
    >>> class_entries({"3": "cat"}), class_entries(["bg", "cat"])
    ([(3, 'cat', None)], [(0, 'bg', None), (1, 'cat', None)])
    """
    base = tuple(path)
    if isinstance(value, Classes):
        return [(i, value.names[i], value.colors[i]) for i in value.names]
    entries: list[Entry]
    if isinstance(value, Mapping):
        entries = [
            (_class_id(k, base + (_key(k),)), _name(v, base + (_key(k),)), None)
            for k, v in value.items()
        ]
        where = [base + (_key(k),) for k in value]
    elif isinstance(value, (list, tuple)):
        if value and all(isinstance(v, str) for v in value):
            return [(i, v, None) for i, v in enumerate(value)]
        entries = [_entry(item, base + (i,)) for i, item in enumerate(value)]
        where = [base + (i, "id") for i in range(len(value))]
    else:
        raise ValidationError(_FORMS, value=value, path=base)
    seen: set[int] = set()
    for position, (class_id, _, _) in enumerate(entries):
        if class_id in seen:
            raise ValidationError("duplicate class id", value=class_id, path=where[position])
        seen.add(class_id)
    return entries


def class_labels(
    value: Any, path: Sequence[PathKey] = ("class_labels",), *, sort: bool = True
) -> dict[int, str] | None:
    """``{id: name}`` from any :func:`class_entries` form (sorted by id unless ``sort=False``); None stays None.

    Examples
    --------
    >>> class_labels({"2": "dog", 0: "bg"}), class_labels(None)
    ({0: 'bg', 2: 'dog'}, None)
    """
    if value is None:
        return None
    entries = class_entries(value, path)
    if sort:
        entries = sorted(entries)
    return {e[0]: e[1] for e in entries}


def first_bad_id(ids: np.ndarray) -> int | None:
    """The index of the first value of a numeric array that is not a class id (vectorized), or None.

    Floats are accepted when they hold whole numbers (``3.0``).

    Examples
    --------
    >>> first_bad_id(np.array([0, 5, -1])), first_bad_id(np.array([1.0, 2.5])), first_bad_id(np.array([7]))
    (2, 1, None)
    """
    if ids.size == 0:
        return None
    if ids.dtype.kind == "b":
        return 0
    lo, hi = ids.min(), ids.max()
    if ids.dtype.kind == "f":
        whole = np.isfinite(lo) and np.isfinite(hi) and bool((np.floor(ids) == ids).all())
        if whole and lo >= 0 and hi <= MAX_CLASS_ID:
            return None
        bad = ~((ids >= 0) & (ids <= MAX_CLASS_ID) & (np.floor(ids) == ids))
    else:
        if lo >= 0 and hi <= MAX_CLASS_ID:
            return None
        bad = (ids < 0) | (ids > MAX_CLASS_ID)
    return int(np.flatnonzero(bad.ravel())[0])


@register
class Classes(Media):
    """A set of classes: each has an integer id, a name and optionally an RGB colour.

    Parameters
    ----------
    classes:
        ``{0: "cat", 1: "dog"}``, a list of names (``["cat", "dog"]``: the
        id is the position), a list of ``{"id": 0, "name": "cat", "color":
        [r, g, b]}`` dicts (``color`` optional), or a ``Classes``. Ids are
        unique integers in 0..:data:`MAX_CLASS_ID` (2**31 - 1); names are
        strings; colour components are integers in 0..255. The same rules
        (:func:`class_entries`) apply to the ``class_labels`` of boxes, masks
        and point clouds.

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
        entries = class_entries(classes)
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
        except ValidationError as err:  # the constructor's check, at the document's path
            raise err.with_prefix("classes") from None


def _key(key: Any) -> PathKey:
    return key if isinstance(key, (str, int)) else str(key)


def _class_id(value: Any, path: tuple[PathKey, ...]) -> int:
    if isinstance(value, str) and value.isdigit() and value.isascii():
        value = int(value)  # JSON object keys are strings
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or not 0 <= value <= MAX_CLASS_ID
    ):
        raise ValidationError(ID_PROBLEM, value=value, path=path)
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
