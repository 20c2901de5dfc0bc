"""Customers who prefer Hungarian are shown family name first (Nagy István), as new writes now store them.

So are customers with no preferred language when the installation's country (``KUNDEBASE_DEFAULT_COUNTRY``)
writes names family first.

Only the derived ``display_name`` and its folded ``search_name`` change; the name parts stay as they were.
"""

from django.db import migrations

from kundebase.core.identifiers import fold
from kundebase.parties.names import FAMILY_NAME_FIRST, family_name_first


def _rename(apps, family_first: bool) -> None:
    Party = apps.get_model("parties", "Party")
    Person = apps.get_model("parties", "Person")
    languages = sorted(FAMILY_NAME_FIRST) + ([""] if family_name_first("") else [])
    rows = (Person.objects.filter(preferred_language__in=languages, erased_at__isnull=True)
            .values_list("pk", "given_name", "family_name").iterator(chunk_size=2000))
    for pk, given, family in rows:
        parts = (family, given) if family_first else (given, family)
        name = " ".join(p.strip() for p in parts if p and p.strip())
        Party.objects.filter(pk=pk).update(display_name=name, search_name=fold(name))


def family_first(apps, schema_editor) -> None:
    _rename(apps, True)


def given_first(apps, schema_editor) -> None:
    _rename(apps, False)


class Migration(migrations.Migration):

    dependencies = [
        ('parties', '0002_org_number_register_entries'),
    ]

    operations = [
        migrations.RunPython(family_first, given_first, elidable=True),
    ]
