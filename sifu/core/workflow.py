"""One way to write a state machine (DESIGN.md §4 rule 11).

A ``Workflow`` declares, for one model, its state field (a ``TextChoices``) and its actions. Each
``Action`` has a name, a label, the states it starts from, the state it leads to (``None``: the
state is unchanged), the permission it needs (checked as ``user.has_perm(perm, obj)``), guards
(callables ``(obj, user) -> message | None`` whose message a user can act on) and the dotted
history action code. From that one declaration:

- pages offer buttons with ``FLOW.allowed_actions(obj, user)`` (state, permission and guards; no
  query beyond what ``has_perm`` costs), and no view re-derives a rule;
- services, after re-reading the row under ``select_for_update``, call
  ``FLOW.check(current, "accept", by, seen=...)``, which raises ``PermissionDenied`` or a
  ``ValidationError`` with the reason, then ``FLOW.move(current, action)`` to set the new state;
- a form that posts an action carries the state its page showed (``{% load workflow %}``
  ``{% seen_fields obj %}``: the state field as ``seen``, each other marker as ``seen_<field>``);
  the view passes ``FLOW.posted(request.POST)`` on, and ``check`` refuses a post that lacks it or
  whose state changed since ("status as seen"). Code that is not answering a page (the demo,
  imports, another service) passes the copy it decided on, or None to act on the row as it is.

Example (a need is screened by community staff)::

    NEED_FLOW = Workflow(
        model=Need,
        field="status",
        actions=[
            Action("accept", gettext_lazy("Accept"), sources={S.SUBMITTED}, target=S.OPEN,
                   perm=Perm.NEEDS_CHANGE, history="incubation.need.accepted"),
            Action("decline", gettext_lazy("Decline"), sources={S.SUBMITTED, S.OPEN}, target=S.DECLINED,
                   perm=Perm.NEEDS_CHANGE, history="incubation.need.declined",
                   guards=[lambda need, user: None if need.title else _("Give the need a title first.")]),
        ],
    )

    # services.py
    @transaction.atomic
    def need_accept(*, need: Need, by: User, seen: Seen | None = None) -> Need:
        current = Need.objects.select_for_update().get(pk=need.pk)
        action = NEED_FLOW.check(current, "accept", by, seen=seen or need)
        fields = NEED_FLOW.move(current, action)
        save_with_history(current, action=action.history, by=by, update_fields=fields)
        return current

    # views.py: context["actions"] = NEED_FLOW.allowed_actions(need, request.user)
    #           services.need_accept(need=need, seen=NEED_FLOW.posted(request.POST), by=request.user)
    # template: {% if actions.accept %}<form method="post" …>{% csrf_token %}{% seen_fields need %}…
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

Guard = Callable[[Any, Any], Any]  # (obj, user) -> a message (str or lazy) or None
Perms = str | Sequence[str] | Callable[[Any], "str | Sequence[str]"]
Message = Any  # a str, a lazy string, or a callable (obj) -> str

_WORKFLOWS: dict[type[models.Model], Workflow] = {}

STATE_MESSAGE = _("“%(action)s” is not possible while it is “%(status)s”.")
STALE_MESSAGE = _("This changed since you opened the page: it is now “%(status)s”. Reload the page and try again.")
MISSING_MESSAGE = _("This form is out of date or incomplete. Reload the page and try again.")
DENIED_MESSAGE = _("You may not do this.")


@dataclass(frozen=True)
class Action:
    """One step of a workflow.

    ``perm``: one permission code, several (all needed, checked in order), or a callable picking
    them from the object as its page showed it. ``None`` only for ``automatic`` actions.
    ``guards`` are cheap (no query): they decide the buttons too. ``slow_guards`` may query and
    run only in ``check``. ``automatic`` actions are consequences a service takes (a need becomes
    served when an organization is linked): never offered as buttons, never posted.
    ``state_message`` and ``denied`` override the workflow's messages for this action
    (``denied`` maps a permission code to the message when it is missing).
    """

    name: str
    label: Any
    sources: Collection[str]  # kept as a frozenset
    target: str | None
    perm: Perms | None
    history: str
    guards: Sequence[Guard] = ()  # kept as a tuple
    slow_guards: Sequence[Guard] = ()
    automatic: bool = False
    state_message: Message | None = None
    denied: Mapping[str, Message] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "guards", tuple(self.guards))
        object.__setattr__(self, "slow_guards", tuple(self.slow_guards))
        if self.perm is None and not self.automatic:
            raise ImproperlyConfigured(f"Action {self.name!r} offered to users needs a permission.")

    def perms_for(self, obj: Any) -> tuple[str, ...]:
        perm = self.perm(obj) if callable(self.perm) else self.perm
        if perm is None:
            return ()
        return (perm,) if isinstance(perm, str) else tuple(perm)


@dataclass(frozen=True)
class Seen:
    """The state a page showed, posted back with its form: marker field → value (as text).
    ``values is None`` means the post did not carry it (an old or hand-made form)."""

    values: Mapping[str, str] | None

    @property
    def missing(self) -> bool:
        return self.values is None


class AllowedActions(dict[str, Action]):
    """``allowed_actions``' answer: name → Action, in declaration order. Asking for an action of the
    workflow that is not allowed gives None (so ``actions.approve`` and ``actions["approve"]`` read
    as false), an unknown name a KeyError."""

    def __init__(self, workflow: Workflow, items: Iterable[tuple[str, Action]]) -> None:
        super().__init__(items)
        self.workflow = workflow

    def __missing__(self, name: str) -> None:
        if name not in self.workflow.actions:
            raise KeyError(name)
        return None


class Workflow:
    """The state machine of ``model``: see the module docstring.

    ``field`` is the state field; ``markers`` are further fields that version the object (a
    filing's ``round``): a page that showed another value is stale too. Messages (str, or callables
    taking the object; ``state_message`` also the action) are formatted with ``%(action)s`` (the
    label) and ``%(status)s`` (the state's label)."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        actions: Iterable[Action],
        field: str = "status",
        markers: Sequence[str] = (),
        state_message: Message = STATE_MESSAGE,
        stale_message: Message = STALE_MESSAGE,
        missing_message: Message = MISSING_MESSAGE,
        denied: Message = DENIED_MESSAGE,
    ) -> None:
        self.model = model
        self.field = field
        self.markers: tuple[str, ...] = (field, *markers)
        self.actions: dict[str, Action] = {}
        for action in actions:
            if action.name in self.actions:
                raise ImproperlyConfigured(f"{model.__name__}: action {action.name!r} is declared twice.")
            self.actions[action.name] = action
        self.state_message = state_message
        self.stale_message = stale_message
        self.missing_message = missing_message
        self.denied = denied
        states = self._states()
        for action in self.actions.values():
            unknown = ({*action.sources} | ({action.target} if action.target else set())) - states
            if unknown:
                raise ImproperlyConfigured(f"{model.__name__}.{action.name}: unknown states {sorted(unknown)}.")
        previous = _WORKFLOWS.get(model)
        if previous is not None and previous.actions.keys() != self.actions.keys():
            raise ImproperlyConfigured(f"{model.__name__} has two workflows.")
        _WORKFLOWS[model] = self

    def __repr__(self) -> str:
        return f"<Workflow {self.model.__name__}.{self.field}: {', '.join(self.actions)}>"

    # Reading the state ----------------------------------------------------------------------

    def state(self, obj: Any) -> str:
        return getattr(obj, self.field)

    def state_label(self, obj: Any) -> str:
        return str(getattr(obj, f"get_{self.field}_display")())

    def _format(self, message: Message, obj: Any, action: Action | None = None) -> str:
        """A callable message is called with the object (and the action, for state messages) and
        used as it is; a string is formatted with ``%(action)s`` and ``%(status)s``."""
        if callable(message):
            return str(message(obj, action) if action is not None else message(obj))
        return str(message) % {"action": action.label if action else "", "status": self.state_label(obj)}

    def seen_of(self, obj: Any) -> Seen:
        """What a page drawing ``obj`` shows (and its form posts back)."""
        return Seen({name: str(getattr(obj, name)) for name in self.markers})

    def seen_inputs(self, obj: Any) -> list[tuple[str, str]]:
        """The hidden inputs a form carries: ``seen`` for the state, ``seen_<marker>`` for the rest."""
        return [(self._input_name(name), value) for name, value in (self.seen_of(obj).values or {}).items()]

    def _input_name(self, marker: str) -> str:
        return "seen" if marker == self.field else f"seen_{marker}"

    def posted(self, data: Mapping[str, Any]) -> Seen:
        """The state a posted form says its page showed; ``Seen(None)`` when it does not say (or
        says something that is no state), which ``check`` refuses."""
        values = {}
        for name in self.markers:
            value = data.get(self._input_name(name))
            if not value:
                return Seen(None)
            values[name] = str(value)
        if values[self.field] not in self._states():
            return Seen(None)
        return Seen(values)

    def _states(self) -> set[str]:
        state_field = cast("models.Field[Any, Any]", self.model._meta.get_field(self.field))
        return {str(value) for value, _label in state_field.flatchoices}

    # Deciding --------------------------------------------------------------------------------

    def _action(self, name: str | Action) -> Action:
        if isinstance(name, Action):
            return name
        try:
            return self.actions[name]
        except KeyError:
            raise ImproperlyConfigured(f"{self.model.__name__} has no action {name!r}.") from None

    def _missing_perm(self, obj: Any, action: Action, user: Any) -> str | None:
        for perm in action.perms_for(obj):
            if not user.has_perm(perm, obj):
                return perm
        return None

    def state_problem(self, obj: Any, name: str | Action) -> str | None:
        """Why the action is not possible from the object's current state, or None."""
        action = self._action(name)
        if self.state(obj) in action.sources:
            return None
        return self._format(action.state_message or self.state_message, obj, action)

    def _guard_problem(self, obj: Any, action: Action, user: Any, *, slow: bool) -> str | None:
        for guard in (*action.guards, *(action.slow_guards if slow else ())):
            message = guard(obj, user)
            if message:
                return str(message)
        return None

    def permitted(self, obj: Any, name: str | Action, user: Any) -> bool:
        """Whether ``user`` holds the permissions the action needs on ``obj`` (whatever its state)."""
        return self._missing_perm(obj, self._action(name), user) is None

    def authorize(self, obj: Any, name: str | Action, user: Any) -> None:
        """Raise ``PermissionDenied`` (with the message) unless ``user`` may take the action on ``obj``:
        for services that check the permission before reading their input (``check`` does it again)."""
        action = self._action(name)
        missing = self._missing_perm(obj, action, user)
        if missing is not None:
            raise PermissionDenied(self._format(action.denied.get(missing, self.denied), obj))

    def problem(self, obj: Any, name: str | Action, user: Any = None) -> str | None:
        """Why the action is not possible now (state, then the cheap guards), or None. No permission.
        ``user`` None asks about the object alone (guards then get None and judge what they can)."""
        action = self._action(name)
        return self.state_problem(obj, action) or self._guard_problem(obj, action, user, slow=False)

    def allowed_actions(self, obj: Any, user: Any) -> AllowedActions:
        """The actions to offer ``user`` as buttons: state, permission and cheap guards pass."""
        return AllowedActions(
            self,
            (
                (name, action)
                for name, action in self.actions.items()
                if not action.automatic
                and self.state(obj) in action.sources
                and self._missing_perm(obj, action, user) is None
                and self._guard_problem(obj, action, user, slow=False) is None
            ),
        )

    def blocked_actions(self, obj: Any, user: Any) -> dict[str, str]:
        """Actions the state and permission allow but a guard refuses, with the guard's message
        (a page can say why a button is not there)."""
        blocked = {}
        for name, action in self.actions.items():
            if action.automatic or self.state(obj) not in action.sources:
                continue
            if self._missing_perm(obj, action, user) is not None:
                continue
            message = self._guard_problem(obj, action, user, slow=False)
            if message:
                blocked[name] = message
        return blocked

    def check(self, obj: Any, name: str | Action, user: Any, *, seen: Seen | models.Model | None) -> Action:
        """Refuse ``name`` on ``obj`` (the row re-read under a lock) unless everything holds, in
        this order: the permission (picked from the state as the page showed it, so nothing is
        revealed first), the state the page showed, the current state, then the guards. Returns
        the action. ``user`` is always an actor (a person, or the system actor): nothing skips the
        permission (DESIGN.md §4 rule 12).

        ``seen`` is what the decision was made on: a ``Seen`` read from a post by ``posted`` (a
        post without it is refused), the copy of the object the caller read before, or None for
        code that acts on the row as it is now (the demo, imports, another service's consequence).
        """
        action = self._action(name)
        if seen is None:
            seen = self.seen_of(obj)
        elif isinstance(seen, models.Model):
            seen = self.seen_of(seen)
        missing = self._missing_perm(self._as_seen(obj, seen), action, user)
        if missing is not None:
            raise PermissionDenied(self._format(action.denied.get(missing, self.denied), obj))
        if seen.missing:
            raise ValidationError(self._format(self.missing_message, obj), code="stale")
        if seen.values != self.seen_of(obj).values:
            # Stale: say so, and why the action is not possible now if it is not.
            messages = [self._format(self.stale_message, obj)]
            problem = self.state_problem(obj, action)
            if problem:
                messages.append(problem)
            raise ValidationError([ValidationError(message, code="stale") for message in messages])
        problem = self.state_problem(obj, action) or self._guard_problem(obj, action, user, slow=True)
        if problem:
            raise ValidationError(problem, code="invalid_step")
        return action

    def _as_seen(self, obj: Any, seen: Seen) -> Any:
        """A copy of ``obj`` with the markers the page showed (to pick permissions as it saw them)."""
        if seen.missing or seen.values == self.seen_of(obj).values:
            return obj
        shadow = object.__new__(type(obj))
        shadow.__dict__.update(obj.__dict__)
        for name, value in (seen.values or {}).items():
            setattr(shadow, name, obj._meta.get_field(name).to_python(value))
        return shadow

    def move(self, obj: Any, name: str | Action) -> list[str]:
        """Put ``obj`` in the action's target state (unsaved); the fields changed, for ``update_fields``."""
        action = self._action(name)
        if action.target is None:
            return []
        setattr(obj, self.field, action.target)
        return [self.field]


def workflow_for(obj: Any) -> Workflow:
    """The workflow declared for ``obj``'s model (used by ``{% seen_fields %}``)."""
    for klass in type(obj).__mro__:
        if klass in _WORKFLOWS:
            return _WORKFLOWS[klass]
    raise ImproperlyConfigured(f"No workflow is declared for {type(obj).__name__}.")
