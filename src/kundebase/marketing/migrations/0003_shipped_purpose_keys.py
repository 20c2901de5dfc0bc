"""Campaigns, newsletters and the loyalty programme name purposes that exist.

Earlier defaults (``marketing`` for campaigns, ``loyalty`` for the programme) named
purposes that were never seeded, so every loyalty sign-up and every campaign created
with the default was refused.  Stored rows that still name such a key are pointed at
the shipped purpose, unless an administrator has since defined the old key.
"""

from django.db import migrations, models

RENAMED = {"marketing": "direct_marketing", "loyalty": "loyalty_club"}


def forward(apps, schema_editor):
    Purpose = apps.get_model("privacy", "Purpose")
    defined = set(Purpose.objects.values_list("key", flat=True))
    for model in ("Campaign", "Newsletter", "LoyaltyProgramme"):
        rows = apps.get_model("marketing", model).objects
        for old, new in RENAMED.items():
            if old not in defined and new in defined:
                rows.filter(purpose=old).update(purpose=new)


class Migration(migrations.Migration):
    dependencies = [("marketing", "0002_bundled_centroids"), ("privacy", "0003_seed_purposes_and_policies")]
    operations = [
        migrations.AlterField("campaign", "purpose",
                              models.CharField(default="direct_marketing", max_length=60, verbose_name="purpose")),
        migrations.AlterField("loyaltyprogramme", "purpose", models.CharField(default="loyalty_club", max_length=60)),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
