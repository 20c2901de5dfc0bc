"""Load the shipped postcode centroids so distance rules work out of the box."""

import csv
from pathlib import Path

from django.db import migrations


def load(apps, schema_editor):
    Centroid = apps.get_model("marketing", "PostcodeCentroid")
    path = Path(__file__).resolve().parent.parent / "data" / "postcode_centroids.csv"
    with path.open(encoding="utf-8") as handle:
        Centroid.objects.bulk_create(
            [Centroid(country=r["country"], postcode=r["postcode"], place=r["place"], lat=float(r["lat"]),
                      lon=float(r["lon"])) for r in csv.DictReader(handle, delimiter=";")],
            ignore_conflicts=True)


def unload(apps, schema_editor):
    apps.get_model("marketing", "PostcodeCentroid").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
