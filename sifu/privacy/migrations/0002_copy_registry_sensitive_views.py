# Copies the record of unmasked views from the registry's table into this app's (issue 7 §6),
# keeping every row's id; registry 0003 then removes the old table. Reversible: going back
# copies the rows into the registry's table again (re-created by reversing registry 0003).

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("id", "user_id", "person_id", "field", "context", "at")
BATCH = 2000


def _copy(source, target, schema_editor):
    db = schema_editor.connection.alias
    rows = source.objects.using(db).order_by("id").values_list(*FIELDS)
    batch = []
    for values in rows.iterator(chunk_size=BATCH):
        batch.append(target(**dict(zip(FIELDS, values, strict=True))))
        if len(batch) >= BATCH:
            target.objects.using(db).bulk_create(batch)
            batch = []
    if batch:
        target.objects.using(db).bulk_create(batch)
    # Rows were written with their ids: move the id sequence past them (PostgreSQL; nothing on SQLite).
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), [target])
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    _copy(apps.get_model("registry", "SensitiveView"), apps.get_model("privacy", "SensitiveView"), schema_editor)


def backwards(apps, schema_editor):
    _copy(apps.get_model("privacy", "SensitiveView"), apps.get_model("registry", "SensitiveView"), schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0001_initial'),
        ('registry', '0002_organization_rules_adopted'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
