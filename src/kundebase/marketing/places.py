"""Postcode coordinates for distance rules, loaded from a file — never fetched at run time.

The shipped table (``data/postcode_centroids.csv``) gives the centre of the main
town of every two-digit postcode area in Norway, Denmark, Germany and Hungary,
compiled by hand for Kundebase: good to about 10–20 km, enough for "within 50 km
of Oslo".  A finer table in the same format can be imported with
``kundebase postcodes import FILE``; the longest matching prefix wins.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from kundebase.marketing.models import PostcodeCentroid

BUNDLED = Path(__file__).resolve().parent / "data" / "postcode_centroids.csv"


@transaction.atomic
def import_centroids(path: Path) -> int:
    """Add or replace rows from ``country;postcode;place;lat;lon``; the whole file or nothing."""
    rows: list[PostcodeCentroid] = []
    with path.open(encoding="utf-8") as handle:
        for number, record in enumerate(csv.DictReader(handle, delimiter=";"), start=2):
            try:
                country = record["country"].strip().upper()
                postcode = record["postcode"].strip()
                lat, lon = float(record["lat"]), float(record["lon"])
            except (KeyError, ValueError, AttributeError) as exc:
                raise ValueError(f"line {number}: expected country;postcode;place;lat;lon ({exc})") from exc
            if len(country) != 2 or not postcode or len(postcode) > 12 or not (-90 <= lat <= 90 and
                                                                               -180 <= lon <= 180):
                raise ValueError(f"line {number}: bad country, postcode or coordinates")
            rows.append(PostcodeCentroid(country=country, postcode=postcode, place=(record.get("place") or "")[:100],
                                         lat=lat, lon=lon))
    for row in rows:
        PostcodeCentroid.objects.update_or_create(country=row.country, postcode=row.postcode,
                                                  defaults={"place": row.place, "lat": row.lat, "lon": row.lon})
    return len(rows)
