"""The audit log moved to core (see ``core.0005``); its table and rows stay where they are.

The content type follows the model, so the permissions granted on it keep their rows; the
``pseudonymised_only`` permission stays a privacy permission, now declared on ``Purpose``."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    Permission = apps.get_model('auth', 'Permission')
    old = ContentType.objects.filter(app_label='privacy', model='auditentry').first()
    if old is None:
        return  # a fresh database: the content types are created after the migrations
    purpose, _ = ContentType.objects.get_or_create(app_label='privacy', model='purpose')
    Permission.objects.filter(content_type=old, codename='pseudonymised_only').update(content_type=purpose)
    if ContentType.objects.filter(app_label='core', model='auditentry').exists():
        Permission.objects.filter(content_type=old).delete()
        old.delete()
    else:
        old.app_label = 'core'
        old.save(update_fields=['app_label'])


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('core', '0005_audit_log_in_core'),
        ('privacy', '0005_phone_requires_consent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEntry')],
            database_operations=[],
        ),
        migrations.AlterModelOptions(
            name='purpose',
            options={'ordering': ['key'],
                     'permissions': [('pseudonymised_only', 'Sees pseudonymised identifiers only')],
                     'verbose_name': 'purpose', 'verbose_name_plural': 'purposes'},
        ),
        migrations.RunPython(move_content_type, migrations.RunPython.noop),
    ]
