"""The audit log belongs to core, so every app can write it without depending on the privacy app.

Only Django's picture of the models moves: the table keeps its name and its rows, and privacy's
``0006`` takes the model out of its own picture."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_apitoken_scope'),
        ('privacy', '0005_phone_requires_consent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name='ID')),
                        ('occurred_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                        ('actor', models.CharField(blank=True, max_length=150)),
                        ('action', models.CharField(choices=[
                            ('view', 'Viewed'), ('create', 'Created'), ('change', 'Changed'), ('delete', 'Deleted'),
                            ('export', 'Exported'), ('erase', 'Erased'), ('merge', 'Merged'),
                            ('unmerge', 'Unmerged'), ('restrict', 'Restricted'), ('login', 'Signed in'),
                            ('login_failed', 'Sign-in failed')], max_length=20)),
                        ('entity', models.CharField(blank=True, max_length=40)),
                        ('record_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('party_id', models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ('channel', models.CharField(blank=True, max_length=20)),
                        ('fields', models.JSONField(blank=True, default=list)),
                        ('note', models.CharField(blank=True, max_length=300)),
                        ('previous_hash', models.CharField(max_length=64)),
                        ('entry_hash', models.CharField(max_length=64, unique=True)),
                    ],
                    options={
                        'verbose_name': 'audit entry',
                        'verbose_name_plural': 'audit log',
                        'ordering': ['id'],
                        'db_table': 'privacy_auditentry',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
