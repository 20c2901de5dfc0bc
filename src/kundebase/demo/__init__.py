"""Deterministic, realistic demo data: ``kundebase demo --customers N [--seed S]``.

``loader`` drives the load chunk by chunk; ``customers``, ``duplicates`` and
``activity`` make the rows; ``places``, ``pools``, ``numbers``, ``texts`` and
``catalogue`` hold what they are made from; ``writer`` inserts them in bulk.
"""
