"""Codecs: plain functions on arrays and bytes that never import media classes.

Each codec module ends with a name -> function table (e.g.
:data:`richtypes.codecs.image.CODECS`). Codecs check the *form* of what they
are given (dtype, shape) but no user semantics; media classes validate first.
"""
