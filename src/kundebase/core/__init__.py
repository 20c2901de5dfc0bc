"""Shared base models, errors, validation and dialect helpers."""
