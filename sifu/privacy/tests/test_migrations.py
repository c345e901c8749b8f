"""The move of the unmasked-view log from the registry to this app keeps every row (SQLite and
PostgreSQL): migrate back to the old state, write rows there, migrate forward, read them here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

OLD = [("registry", "0002_organization_rules_adopted"), ("privacy", None)]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_rows_move_from_the_registry_to_privacy_and_back():
    latest = _latest()
    try:
        old = _migrate(OLD)
        User = old.get_model("accounts", "User")
        Person = old.get_model("registry", "Person")
        OldView = old.get_model("registry", "SensitiveView")
        user = User.objects.create(username="viewer")
        person = Person.objects.create(name="张三", phone="13912345678")
        at = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)
        OldView.objects.create(user=user, person=person, field="phone", context="/office/people/1/", at=at)
        OldView.objects.create(user=user, person=None, field="export", context="organization list export", at=at)
        kept = sorted(OldView.objects.values_list("id", "user_id", "person_id", "field", "context", "at"))

        new = _migrate(latest)
        NewView = new.get_model("privacy", "SensitiveView")
        assert sorted(NewView.objects.values_list("id", "user_id", "person_id", "field", "context", "at")) == kept
        assert "registry_sensitiveview" not in connection.introspection.table_names()
        # The id sequence moved past the copied rows (PostgreSQL): a new row gets a new id.
        added = NewView.objects.create(user_id=user.pk, field="export", context="after the move")
        assert added.pk > max(row[0] for row in kept)

        back = _migrate(OLD)
        assert sorted(
            back.get_model("registry", "SensitiveView").objects.values_list("id", "field", "context")
        ) == sorted([(row[0], row[3], row[4]) for row in kept] + [(added.pk, "export", "after the move")])
        assert "privacy_sensitiveview" not in connection.introspection.table_names()
    finally:
        _migrate(latest)
