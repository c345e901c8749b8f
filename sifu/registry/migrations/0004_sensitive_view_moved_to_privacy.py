# The record of unmasked views moved to sifu.privacy (issue 7 §6). Its rows were copied by
# privacy 0002 first; this removes the old table after them.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('registry', '0003_date_defaults_localdate'),
        ('privacy', '0002_copy_registry_sensitive_views'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='sensitiveview',
            name='sensitive_person_idx',
        ),
        migrations.DeleteModel(
            name='SensitiveView',
        ),
    ]
