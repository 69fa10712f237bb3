"""``Html``: an HTML page or fragment, stored as a standalone ``.html`` sidecar."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any, BinaryIO, TextIO, Union

from .core.errors import FormatError, ValidationError
from .core.inputs import read_source
from .core.media import Media, field, register
from .store.local import Store

__all__ = ["Html", "HTML", "HtmlLike", "MAX_HTML_BYTES", "HEAD"]

#: The largest page (UTF-8 bytes, after injection) an ``Html`` may hold.
MAX_HTML_BYTES = 256 * 1024**2
#: What ``inject=True`` puts before a fragment (the fragment becomes the body).
HEAD = (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n</head>\n<body>\n'
)
_TAIL = "\n</body>\n</html>\n"
_DOCUMENT = re.compile(r"<!doctype\s|<html[\s>/]|<head[\s>/]", re.IGNORECASE)
_WHERE = ("data",)

HtmlLike = Union[str, bytes, "os.PathLike[str]", BinaryIO, TextIO]


@register
class Html(Media):
    """An HTML page.

    Parameters
    ----------
    data:
        The HTML: a ``str`` is always the HTML text itself; a path must be an
        ``os.PathLike`` (``pathlib.Path``); a file object (binary or text) or
        ``bytes`` must hold UTF-8.
    data_is_not_path:
        The reference tracker's keyword. ``None`` (the default) and ``True``:
        a ``str`` is the HTML text. ``False``: a ``str`` naming an existing
        file is read as that file's path (the reference's default), any other
        ``str`` is the HTML text.
    inject:
        Make a fragment a standalone page: wrap it in a minimal document with a
        ``<head>`` declaring ``charset="utf-8"`` and a ``viewport`` (see
        :data:`HEAD`). A full document (one with a ``<!doctype ...>``,
        ``<html>`` or ``<head>`` tag) is always stored as it is.

    Raises
    ------
    ValidationError
        For bytes that are not UTF-8, a page above :data:`MAX_HTML_BYTES`, or
        a ``data`` of another type.

    Examples
    --------
    >>> page = Html("<p>accuracy: <b>0.93</b></p>")
    >>> page.html.startswith("<!DOCTYPE html>"), "<p>accuracy: <b>0.93</b></p>" in page.html
    (True, True)
    >>> Html("<p>x</p>", inject=False).html
    '<p>x</p>'
    >>> Html("<html><body>done</body></html>").html
    '<html><body>done</body></html>'
    """

    _type = "html"
    _version = 1

    html: str

    def __init__(
        self, data: HtmlLike, inject: bool = True, data_is_not_path: bool | None = None
    ) -> None:
        if data_is_not_path is not None and not isinstance(data_is_not_path, bool):
            raise ValidationError(
                "must be True, False or None", value=data_is_not_path, path=("data_is_not_path",)
            )
        if isinstance(data, str) and data_is_not_path is False and os.path.isfile(data):
            text = _decode_utf8(read_source(data, _WHERE) or b"")
        elif isinstance(data, str):
            text = data
        else:
            raw = read_source(data, _WHERE, str_is_path=False)
            if raw is None:
                raise ValidationError(
                    "must be HTML text (str), UTF-8 bytes, a path (os.PathLike) or a file object",
                    value=data,
                    path=_WHERE,
                )
            text = _decode_utf8(raw)
        if not isinstance(inject, bool):
            raise ValidationError("must be True or False", value=inject, path=("inject",))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates in a str
            raise ValidationError(
                f"must be valid Unicode text ({exc.reason} at character {exc.start})", path=_WHERE
            ) from None
        if inject and not is_document(text):
            text = HEAD + text + _TAIL
        self._set(text)

    def _set(self, text: str) -> None:
        encoded = text.encode("utf-8")
        if len(encoded) > MAX_HTML_BYTES:
            raise ValidationError(
                f"is {len(encoded)} bytes, above the limit of {MAX_HTML_BYTES}", path=_WHERE
            )
        self.html = text
        self._encoded = encoded
        self._freeze()

    def __repr__(self) -> str:
        return f"Html({len(self._encoded)} bytes)"

    def _content(self) -> tuple[Any, ...]:
        return (self.html,)

    # ------------------------------------------------------------------- wire
    def to_json(self, store: Store) -> dict[str, Any]:
        return self._envelope(file=store.put_bytes(self._encoded, "html"))

    @classmethod
    def from_json(cls, doc: Mapping[str, Any], store: Store) -> Html:
        ref = field(doc, "file", dict)
        if ref.get("format") != "html":
            raise FormatError("must be 'html'", value=ref.get("format"), path=("file", "format"))
        if isinstance(ref.get("size"), int) and ref["size"] > MAX_HTML_BYTES:
            raise FormatError(
                f"the page is above the limit of {MAX_HTML_BYTES} bytes",
                value=ref["size"],
                path=("file", "size"),
            )
        raw = store.get_bytes(ref)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FormatError(
                f"the stored page is not UTF-8 ({exc.reason} at byte {exc.start})", path=("file",)
            ) from None
        page = cls.__new__(cls)
        page._set(text)
        return page


#: The name the popular experiment tracker uses.
HTML = Html


def is_document(text: str) -> bool:
    """Whether ``text`` is a full HTML document (has a doctype, ``<html>`` or ``<head>`` tag).

    Examples
    --------
    >>> is_document("<!DOCTYPE html><p>x</p>"), is_document("<p>x</p>")
    (True, False)
    """
    return _DOCUMENT.search(text) is not None


def _decode_utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"must be UTF-8 text ({exc.reason} at byte {exc.start})",
            value=raw[exc.start : exc.end],
            path=_WHERE,
        ) from None
