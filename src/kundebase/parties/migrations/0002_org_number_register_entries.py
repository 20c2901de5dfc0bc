"""Company register numbers may name their court (``Ludwigshafen a.Rhein (Ludwigshafen) HRB 123456``)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('parties', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='company',
            name='org_number',
            field=models.CharField(blank=True, max_length=60, verbose_name='organisation number'),
        ),
        migrations.AlterField(
            model_name='company',
            name='org_number_key',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=60),
        ),
    ]
