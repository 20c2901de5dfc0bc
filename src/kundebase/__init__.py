"""Kundebase: one trustworthy customer database for the whole company."""

__version__ = "0.1.0"
