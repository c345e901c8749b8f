"""Editing a recorded need (need_update and its page): history kept, refusals explained, nothing saved on error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from sifu.accounts.services import system_actor
from sifu.incubation import services
from sifu.incubation.models import Need
from sifu.incubation.tests.factories import make_need


def edit_url(need: Need) -> str:
    return reverse("incubation:need-edit", args=[need.pk])


def edit_data(need: Need, **overrides) -> dict:
    data = {
        "title": need.title,
        "affected_group": need.affected_group,
        "category": need.category,
        "reported_on": need.reported_on.isoformat(),
        "place": need.place,
        "description": need.description,
    }
    return {**data, **overrides}


def test_update_changes_only_what_changed_with_history(world, community_staff):
    need = make_need(world.community_a, "骑手歇脚难", reported_on=dt.date(2024, 1, 5))
    need = services.need_update(
        need=need,
        data={"title": " 外卖骑手没有歇脚的地方 ", "affected_group": "外卖骑手", "reported_on": dt.date(2024, 1, 4)},
        by=community_staff,
    )
    need.refresh_from_db()
    assert need.title == "外卖骑手没有歇脚的地方" and need.affected_group == "外卖骑手"
    assert need.reported_on == dt.date(2024, 1, 4)
    latest = need.history.first()
    assert latest.history_change_reason == "incubation.need.updated" and latest.history_user == community_staff
    count = need.history.count()
    services.need_update(need=need, data={"title": need.title}, by=community_staff)  # nothing changed
    assert need.history.count() == count


def test_update_refusals(world, community_staff, other_staff, district_leader):
    need = make_need(world.community_a, "骑手歇脚难")
    with pytest.raises(ValidationError) as exc:
        services.need_update(need=need, data={"title": "  "}, by=community_staff)
    assert "title" in exc.value.message_dict
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.need_update(need=need, data={"reported_on": tomorrow}, by=community_staff)
    assert "future" in exc.value.message_dict["reported_on"][0]
    with pytest.raises(ValidationError, match="cannot be changed here"):
        services.need_update(need=need, data={"status": "served"}, by=community_staff)
    with pytest.raises(ValidationError) as exc:
        services.need_update(need=need, data={"category": "nonsense"}, by=community_staff)
    assert "category" in exc.value.message_dict
    for user in (other_staff, district_leader):
        with pytest.raises(PermissionDenied):
            services.need_update(need=need, data={"title": "别人改的"}, by=user)
    services.need_decline(need=need, reason="重复", by=system_actor())
    with pytest.raises(ValidationError, match="kept as it was decided"):
        services.need_update(need=need, data={"title": "改名"}, by=community_staff)
    need.refresh_from_db()
    assert need.title == "骑手歇脚难"


def test_edit_page_saves_through_the_service(client, world, community_staff):
    need = make_need(world.community_a, "骑手歇脚难", place="荔芳路")
    client.force_login(community_staff)
    page = client.get(edit_url(need))
    assert page.status_code == 200 and "community" not in page.context["form"].fields
    response = client.post(edit_url(need), edit_data(need, title="外卖骑手没有歇脚的地方", place="荔芳路口"))
    assert response.status_code == 302 and response["Location"] == reverse("incubation:need-detail", args=[need.pk])
    need.refresh_from_db()
    assert (need.title, need.place) == ("外卖骑手没有歇脚的地方", "荔芳路口")
    detail = client.get(response["Location"]).content.decode()
    assert "Edited" in detail and edit_url(need) in detail


def test_edit_page_refusal_shows_the_error_and_saves_nothing(client, world, community_staff):
    need = make_need(world.community_a, "骑手歇脚难")
    client.force_login(community_staff)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(edit_url(need), edit_data(need, title="新标题", reported_on=tomorrow))
    assert response.status_code == 400
    assert "cannot be in the future" in response.content.decode()
    need.refresh_from_db()
    assert need.title == "骑手歇脚难"


def test_edit_page_of_a_declined_need_sends_back_with_the_reason(client, world, community_staff):
    need = make_need(world.community_a, "骑手歇脚难")
    services.need_decline(need=need, reason="重复", by=system_actor())
    client.force_login(community_staff)
    response = client.get(edit_url(need), follow=True)
    assert response.redirect_chain[-1][0] == reverse("incubation:need-detail", args=[need.pk])
    page = response.content.decode()
    assert "kept as it was decided" in page and edit_url(need) not in page
