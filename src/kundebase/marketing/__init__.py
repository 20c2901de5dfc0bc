"""Segments, target lists, campaigns, newsletters, loyalty and life-event triggers."""
