"""Typed columnar tables whose cells may be media."""

from .table import MAX_COLUMNS, MAX_ROWS, Table

__all__ = ["Table", "MAX_ROWS", "MAX_COLUMNS"]
