"""Consolidation from every channel: file imports, the Segment-compatible event API, provenance."""
