"""Codecs for Html, Video and Audio: plain functions on arrays and bytes.

``wav``: a plain PCM WAV writer and reader (no dependency). ``ffmpeg``: video
encoding/decoding and compressed-audio decoding through the ``imageio-ffmpeg``
binary (the ``video`` extra), imported lazily. ``gif``: animated GIF through
Pillow. None of them knows a media class.
"""
