"""The core layer: errors, the ``Media`` base and registry, the envelope, and nest dump/load.

Everything else in richtypes imports from here; this layer imports nothing above
it except the store (sidecar references are part of the envelope).
"""
