"""Every installation starts with one pipeline of four stages; their names are message ids, shown translated."""

from django.db import migrations

STAGES = [("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75)]
"""Kept here as data (a migration must not change when the model module does); see models.DEFAULT_STAGES."""


def seed(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="Sales", is_default=True)
    Stage.objects.bulk_create(Stage(pipeline=pipeline, name=name, probability=chance, position=i)
                              for i, (name, chance) in enumerate(STAGES, start=1))


def unseed(apps, schema_editor):
    apps.get_model("sales", "Pipeline").objects.filter(name="Sales", deals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
