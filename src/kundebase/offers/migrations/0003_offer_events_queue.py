"""Showings wait for their timeline entry in their own rows (a partial index finds them); a customer's offer
events are found by customer first.  The new column has a database default, so servers still running the
previous release go on writing events while this migration is applied.  A profile has one more part to keep
(the answers to the offers' eligibility rules), so a new row starts with nine stale bits."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('offers', '0002_profile_stale_parts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='profile',
            name='stale_parts',
            field=models.PositiveIntegerField(default=511),
        ),
        migrations.RemoveIndex(
            model_name='offerevent',
            name='offerevent_party',
        ),
        migrations.AddField(
            model_name='offerevent',
            name='on_timeline',
            field=models.BooleanField(db_default=True, default=True),
        ),
        migrations.AddField(
            model_name='offerevent',
            name='shown_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddIndex(
            model_name='offerevent',
            index=models.Index(fields=['party_id', 'offer', 'kind'], name='offerevent_customer'),
        ),
        migrations.AddIndex(
            model_name='offerevent',
            index=models.Index(condition=models.Q(('on_timeline', False)), fields=['id'], name='offerevent_pending'),
        ),
    ]
