"""The workflow primitive (``sifu.core.workflow``): allowed and refused actions, permissions, guards
with their messages, and the state a page showed ("seen"), stale or missing. No database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.template import Context, Template
from django.test.utils import isolate_apps
from django.utils import translation

from sifu.core.workflow import Action, Seen, Workflow, workflow_for

# A model of its own registry, so nothing that walks the project's models (the demo's row counts) meets it.
with isolate_apps("sifu.core"):

    class Ticket(models.Model):  # noqa: DJ008 (never shown)
        class Status(models.TextChoices):
            NEW = "new", "New"
            OPEN = "open", "Open"
            DONE = "done", "Done"

        status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
        round = models.PositiveIntegerField(default=1)
        title = models.CharField(max_length=50, blank=True)
        owner_id = models.IntegerField(null=True)

        class Meta:
            app_label = "core"
            managed = False


S = Ticket.Status


def needs_title(ticket, user):
    return None if ticket.title else "Give the ticket a title first."


def not_the_owner(ticket, user):
    return "You opened it, so someone else closes it." if user and ticket.owner_id == user.pk else None


def slow_check(ticket, user):
    return "The slow guard says no." if ticket.title == "slow" else None


FLOW = Workflow(
    model=Ticket,
    markers=("round",),
    actions=[
        Action("open", "Open it", sources={S.NEW}, target=S.OPEN, perm="t.open", history="t.ticket.opened"),
        Action(
            "close",
            "Close it",
            sources={S.NEW, S.OPEN},
            target=S.DONE,
            perm=("t.open", "t.close"),
            history="t.ticket.closed",
            guards=[needs_title, not_the_owner],
            slow_guards=[slow_check],
            denied={"t.close": "Only a closer closes tickets."},
        ),
        Action(
            "retitle",
            "Retitle",
            sources={S.NEW, S.OPEN},
            target=None,
            # Before it is opened anyone who opens tickets may retitle; afterwards only a closer.
            perm=lambda t: "t.open" if t.status == S.NEW else "t.close",
            history="t.ticket.retitled",
        ),
        Action("reopen", "Reopen", sources={S.DONE}, target=S.OPEN, perm=None, history="t.x", automatic=True),
    ],
    stale_message="Changed meanwhile: now “%(status)s”.",
)


class User:
    def __init__(self, *perms: str, pk: int = 1) -> None:
        self.perms, self.pk = set(perms), pk

    def has_perm(self, perm: str, obj=None) -> bool:
        return perm in self.perms


ADMIN = User("t.open", "t.close", pk=1)
OPENER = User("t.open", pk=2)
NOBODY = User(pk=3)


def ticket(status=S.NEW, **kw) -> Ticket:
    return Ticket(pk=1, status=status, title=kw.pop("title", "Broken lamp"), **kw)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(exc_type, call) -> str:
    with pytest.raises(exc_type) as info:
        call()
    exc = info.value
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


# Buttons ----------------------------------------------------------------------------------------


def test_allowed_actions_follow_state_permission_and_guards():
    assert list(FLOW.allowed_actions(ticket(), ADMIN)) == ["open", "close", "retitle"]
    assert list(FLOW.allowed_actions(ticket(S.OPEN), ADMIN)) == ["close", "retitle"]
    assert list(FLOW.allowed_actions(ticket(), OPENER)) == ["open", "retitle"]  # close needs t.close
    assert list(FLOW.allowed_actions(ticket(S.OPEN), OPENER)) == []  # retitle needs t.close once opened
    assert list(FLOW.allowed_actions(ticket(), NOBODY)) == []
    assert list(FLOW.allowed_actions(ticket(S.DONE), ADMIN)) == []  # reopen is automatic: never a button
    assert list(FLOW.allowed_actions(ticket(title=""), ADMIN)) == ["open", "retitle"]  # a guard refuses close


def test_allowed_actions_read_as_false_for_actions_not_allowed_and_fail_for_typos():
    actions = FLOW.allowed_actions(ticket(), OPENER)
    assert actions["open"].history == "t.ticket.opened"
    assert actions["close"] is None and not actions["close"]
    assert "close" not in actions
    with pytest.raises(KeyError):
        actions["clsoe"]
    rendered = Template("{% if actions.open %}O{% endif %}{% if actions.close %}C{% endif %}").render(
        Context({"actions": actions})
    )
    assert rendered == "O"


def test_blocked_actions_say_which_guard_refuses():
    assert FLOW.blocked_actions(ticket(owner_id=1), ADMIN) == {"close": "You opened it, so someone else closes it."}
    assert FLOW.blocked_actions(ticket(owner_id=1), OPENER) == {}  # no permission: not blocked, just absent


def test_problem_and_permitted():
    assert FLOW.problem(ticket(S.DONE), "open") == "“Open it” is not possible while it is “Done”."
    assert FLOW.problem(ticket(title=""), "close") == "Give the ticket a title first."
    assert FLOW.problem(ticket(), "close") is None
    assert FLOW.permitted(ticket(), "close", ADMIN) and not FLOW.permitted(ticket(), "close", OPENER)


# Checking in a service ------------------------------------------------------------------------


def test_check_returns_the_action_and_move_sets_the_target():
    t = ticket()
    action = FLOW.check(t, "open", OPENER, seen=FLOW.seen_of(t))
    assert action.name == "open" and action.history == "t.ticket.opened"
    assert FLOW.move(t, action) == ["status"] and t.status == S.OPEN
    unchanged = ticket()
    assert FLOW.move(unchanged, FLOW.check(unchanged, "retitle", ADMIN, seen=unchanged)) == []
    assert unchanged.status == S.NEW


def test_check_refuses_without_the_permission_with_the_message():
    t = ticket()
    assert refused(PermissionDenied, lambda: FLOW.check(t, "open", NOBODY, seen=t)) == "You may not do this."
    assert refused(PermissionDenied, lambda: FLOW.check(t, "close", OPENER, seen=t)) == "Only a closer closes tickets."
    with pytest.raises(AttributeError):
        FLOW.check(t, "close", None, seen=t)  # there is always an actor: None skips nothing


def test_check_refuses_from_a_wrong_state_and_by_guards_with_their_messages():
    done = ticket(S.DONE)
    message = refused(ValidationError, lambda: FLOW.check(done, "open", ADMIN, seen=done))
    assert message == "“Open it” is not possible while it is “Done”."
    untitled = ticket(title="")
    assert refused(ValidationError, lambda: FLOW.check(untitled, "close", ADMIN, seen=untitled)) == (
        "Give the ticket a title first."
    )
    mine = ticket(owner_id=1)
    assert "someone else closes it" in refused(ValidationError, lambda: FLOW.check(mine, "close", ADMIN, seen=mine))
    slow = ticket(title="slow")
    assert FLOW.allowed_actions(slow, ADMIN)["close"]  # slow guards do not decide buttons
    assert refused(ValidationError, lambda: FLOW.check(slow, "close", ADMIN, seen=slow)) == "The slow guard says no."


# The state a page showed --------------------------------------------------------------------------


def test_the_page_carries_state_and_markers_and_a_post_reads_them_back():
    t = ticket(round=3)
    assert FLOW.seen_inputs(t) == [("seen", "new"), ("seen_round", "3")]
    html = Template("{% load workflow %}{% seen_fields t %}").render(Context({"t": t}))
    assert html == '<input type="hidden" name="seen" value="new"><input type="hidden" name="seen_round" value="3">'
    assert FLOW.posted({"seen": "new", "seen_round": "3"}) == Seen({"status": "new", "round": "3"})
    assert workflow_for(t) is FLOW


INCOMPLETE = [
    {},
    {"seen": "new"},
    {"seen_round": "1"},
    {"seen": "", "seen_round": "1"},
    {"seen": "?", "seen_round": "1"},
]


@pytest.mark.parametrize("post", INCOMPLETE)
def test_a_post_without_the_state_it_was_made_on_is_refused(post):
    seen = FLOW.posted(post)
    assert seen.missing
    t = ticket()
    message = refused(ValidationError, lambda: FLOW.check(t, "open", ADMIN, seen=seen))
    assert message == "This form is out of date or incomplete. Reload the page and try again."


def test_a_post_without_the_state_still_meets_the_permission_first():
    t = ticket()
    refused(PermissionDenied, lambda: FLOW.check(t, "open", NOBODY, seen=Seen(None)))


def test_a_stale_post_is_refused_naming_the_state_now():
    page = FLOW.posted({"seen": "new", "seen_round": "1"})
    # Still possible now (close is allowed from "open"), but the page showed another state.
    now_open = ticket(S.OPEN)
    with pytest.raises(ValidationError) as info:
        FLOW.check(now_open, "close", ADMIN, seen=page)
    assert info.value.messages == ["Changed meanwhile: now “Open”."] and info.value.error_list[0].code == "stale"
    # No longer possible: the reason follows.
    assert refused(ValidationError, lambda: FLOW.check(now_open, "open", ADMIN, seen=page)) == (
        "Changed meanwhile: now “Open”. “Open it” is not possible while it is “Open”."
    )
    # Same state, another round: stale too.
    later = ticket(round=2)
    assert "Changed meanwhile" in refused(ValidationError, lambda: FLOW.check(later, "open", ADMIN, seen=page))


def test_a_copy_read_before_is_what_the_caller_saw():
    copy = ticket()
    now_open = ticket(S.OPEN)
    assert "Changed meanwhile" in refused(ValidationError, lambda: FLOW.check(now_open, "close", ADMIN, seen=copy))


def test_permissions_are_picked_from_the_state_the_page_showed():
    """The opener's page showed "new" (retitle needs t.open): they learn it is stale, not forbidden."""
    page = FLOW.posted({"seen": "new", "seen_round": "1"})
    message = refused(ValidationError, lambda: FLOW.check(ticket(S.OPEN), "retitle", OPENER, seen=page))
    assert "Changed meanwhile" in message


def test_automatic_actions_need_no_page():
    done = ticket(S.DONE)
    assert FLOW.check(done, "reopen", NOBODY, seen=done).target == S.OPEN  # no permission of its own


# Declaring --------------------------------------------------------------------------------------


def test_declaration_mistakes_fail_loudly():
    with pytest.raises(ImproperlyConfigured):
        Action("x", "X", sources={S.NEW}, target=S.OPEN, perm=None, history="t.x")  # a button needs a permission
    with pytest.raises(ImproperlyConfigured):
        Workflow(model=Ticket, actions=[Action("x", "X", sources={"lost"}, target=None, perm="p", history="t.x")])
    with pytest.raises(ImproperlyConfigured):
        FLOW.check(ticket(), "explode", ADMIN, seen=ticket())
