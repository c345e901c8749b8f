"""The system actor exists from the first migration on (services create it too if it is missing)."""

from django.contrib.auth.hashers import make_password
from django.db import migrations
from django.utils import timezone


def create_system_actor(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    HistoricalUser = apps.get_model("accounts", "HistoricalUser")
    if User.objects.filter(is_system=True).exists():
        return
    user = User.objects.create(
        username="sifu-system",
        display_name="System",
        is_system=True,
        is_superuser=True,
        is_active=True,
        password=make_password(None),  # unusable: the system actor never signs in
    )
    # Its first version, as every row has one (it created itself).
    tracked = {f.attname for f in HistoricalUser._meta.concrete_fields}
    values = {f.attname: getattr(user, f.attname) for f in User._meta.concrete_fields if f.attname in tracked}
    HistoricalUser.objects.create(
        **values,
        history_date=timezone.now(),
        history_type="+",
        history_change_reason="accounts.user.system_created",
        history_user_id=user.pk,
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_user_is_system")]

    operations = [migrations.RunPython(create_system_actor, migrations.RunPython.noop)]
