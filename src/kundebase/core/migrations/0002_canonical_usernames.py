"""Store every existing user name in its canonical spelling (NFKC + casefold), as new ones are stored.

A name whose canonical spelling another account already holds is left as it is (and reported), so no
account is lost; an administrator renames one of the two.
"""

import unicodedata

from django.db import migrations


def _canonical(name):
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", str(name)).casefold())
    return "".join(ch for ch in folded if ch.isprintable()).strip()[:150]


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    taken = set(User.objects.values_list("username", flat=True))
    for user in User.objects.order_by("pk"):
        canonical = _canonical(user.username)
        if canonical == user.username:
            continue
        if canonical in taken:
            print(f"\n  user name {user.username!r} kept: {canonical!r} belongs to another account")  # noqa: T201
            continue
        taken.discard(user.username)
        taken.add(canonical)
        user.username = canonical
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
