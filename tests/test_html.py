"""Html: text, paths and file objects; head injection; UTF-8 checks; round trips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import richtypes
from richtypes import HTML, FormatError, Html, ValidationError
from richtypes.html import HEAD

FRAGMENT = "<h1>Résumé ✓</h1><p>loss 0.25</p>"
PAGE = HEAD + FRAGMENT + "\n</body>\n</html>\n"


def test_html_is_the_alias_of_the_tracker() -> None:
    assert HTML is Html


@pytest.mark.parametrize(
    "make",
    [
        lambda p: FRAGMENT,
        lambda p: FRAGMENT.encode(),
        lambda p: p,
        lambda p: io.BytesIO(FRAGMENT.encode()),
        lambda p: io.StringIO(FRAGMENT),
        lambda p: open(p, "rb"),
        lambda p: open(p, encoding="utf-8"),
    ],
    ids=["str", "bytes", "path", "binary-file", "text-file", "open-binary", "open-text"],
)
def test_every_input_form_gives_the_same_page(tmp_path: Path, make) -> None:
    path = tmp_path / "page.html"
    path.write_text(FRAGMENT, encoding="utf-8")
    source = make(path)
    page = Html(source)
    if hasattr(source, "close"):
        source.close()
    assert page.html == PAGE
    assert page == Html(FRAGMENT)


@pytest.mark.parametrize(
    "document",
    [
        "<!DOCTYPE html><title>t</title><p>x</p>",
        "<!doctype html>\n<p>x</p>",
        "<html lang='en'><body>x</body></html>",
        "  <HTML>\n<BODY>x</BODY></HTML>",
        "<head><meta charset='utf-8'></head><p>x</p>",
    ],
)
def test_a_full_document_is_stored_as_it_is(document: str) -> None:
    assert Html(document).html == document


def test_inject_false_keeps_a_fragment_as_it_is(roundtrip) -> None:
    page = Html(FRAGMENT, inject=False)
    assert page.html == FRAGMENT and page != Html(FRAGMENT)
    roundtrip(page)


def test_the_sidecar_is_the_utf8_page(roundtrip, tmp_path: Path) -> None:
    doc, back = roundtrip(Html(FRAGMENT))
    assert set(doc) == {"_type", "_version", "file"}
    assert doc["file"]["format"] == "html" and doc["file"]["path"].endswith(".html")
    assert (tmp_path / "store" / doc["file"]["path"]).read_bytes() == PAGE.encode("utf-8")
    assert back.html == PAGE


def test_the_same_page_is_stored_once(tmp_path: Path) -> None:
    doc = richtypes.dump([Html("<p>a</p>"), Html("<p>a</p>")], tmp_path)
    assert doc[0] == doc[1]
    assert len([p for p in tmp_path.rglob("*.html")]) == 1


@pytest.mark.parametrize(
    "data, kwargs, message",
    [
        (
            b"<p>caf\xe9</p>",
            {},
            r"^\$\.data: must be UTF-8 text \(invalid continuation byte at byte 6\), got b'\\xe9'$",
        ),
        (
            io.BytesIO(b"\xff<p>"),
            {},
            r"^\$\.data: must be UTF-8 text \(invalid start byte at byte 0\), got b'\\xff'$",
        ),
        (
            12,
            {},
            r"^\$\.data: must be HTML text \(str\), UTF-8 bytes, a path \(os\.PathLike\) or a file object, got 12$",
        ),
        (
            None,
            {},
            r"^\$\.data: must be HTML text \(str\), UTF-8 bytes, a path \(os\.PathLike\) or a file object, got None$",
        ),
        (
            "<p>\ud800</p>",
            {},
            r"^\$\.data: must be valid Unicode text \(surrogates not allowed at character 3\)$",
        ),
        ("<p>x</p>", {"inject": "yes"}, r"^\$\.inject: must be True or False, got 'yes'$"),
        (
            Path("/nonexistent/page.html"),
            {},
            r"^\$\.data: cannot be read \(No such file or directory\), got '/nonexistent/page\.html'$",
        ),
    ],
)
def test_bad_inputs_give_a_validation_error_with_path(data, kwargs, message) -> None:
    with pytest.raises(ValidationError, match=message):
        Html(data, **kwargs)


def test_a_str_is_always_html_text_never_a_path(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text("<p>from file</p>", encoding="utf-8")
    assert Html(str(path), inject=False).html == str(path)


def test_frozen() -> None:
    with pytest.raises(AttributeError):
        Html("x").html = "y"  # type: ignore[misc]


def test_repr() -> None:
    assert repr(Html("<p>x</p>", inject=False)) == "Html(8 bytes)"


@pytest.mark.parametrize(
    "change, message",
    [
        ({"file": "x"}, r"^\$\.file: must be dict, got str$"),
        ({"file": None}, r"^\$\.file: must be dict, got NoneType$"),
    ],
)
def test_malformed_documents_are_format_errors(tmp_path: Path, change, message) -> None:
    doc = richtypes.dump(Html("<p>x</p>"), tmp_path)
    doc.update(change)
    with pytest.raises(FormatError, match=message):
        richtypes.load(doc, tmp_path)


def test_a_stored_page_that_is_not_utf8_or_not_html_is_a_format_error(tmp_path: Path) -> None:
    store = richtypes.Store(tmp_path)
    with pytest.raises(
        FormatError,
        match=r"^\$\.file: the stored page is not UTF-8 \(invalid start byte at byte 0\)$",
    ):
        richtypes.load(
            {"_type": "html", "_version": 1, "file": store.put_bytes(b"\xff", "html")}, tmp_path
        )
    with pytest.raises(FormatError, match=r"^\$\.file\.format: must be 'html', got 'txt'$"):
        richtypes.load(
            {"_type": "html", "_version": 1, "file": store.put_bytes(b"x", "txt")}, tmp_path
        )


@settings(max_examples=30, deadline=None)
@given(
    text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=200), inject=st.booleans()
)
def test_property_any_text_round_trips(tmp_path_factory, text: str, inject: bool) -> None:
    root = tmp_path_factory.mktemp("h")
    page = Html(text, inject=inject)
    assert text in page.html
    back = richtypes.load(richtypes.dump(page, root), root)
    assert back == page and back.html == page.html
