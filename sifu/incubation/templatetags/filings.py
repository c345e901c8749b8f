"""Template tags for pages of other apps that show the filing workflow.

The registry must not import incubation in Python (DESIGN.md §3 arrows), so its organization page
loads this library: ``{% load filings %}{% filing_panel organization %}``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from sifu.core.permissions import Perm
from sifu.incubation import selectors
from sifu.incubation.services.filings import offered_kinds
from sifu.registry import selectors as registry_selectors
from sifu.registry.lifecycle import ORGANIZATION_FLOW
from sifu.registry.models import Organization

register = template.Library()


@register.inclusion_tag("incubation/filing_panel.html", takes_context=True)
def filing_panel(context: template.Context, organization: Organization) -> dict[str, Any]:
    """The organization's filing: the request in progress (or the latest), what the viewer may ask
    for now (renewal with its flag, a change, deregistration, or the first filing) and, for those
    the registry's workflow allows, the conversion to registration. At most one query; none without FILING_VIEW."""
    user = context["user"]
    if not user.has_perm(Perm.FILING_VIEW, organization):
        return {"show": False}
    today = timezone.localdate()
    filing = selectors.organization_filing(organization)
    is_open = filing is not None and filing.is_open
    may_submit = user.has_perm(Perm.FILING_SUBMIT, organization)
    # The conversion to registration is the registry's transition, offered as the registry's page offers it.
    may_register = "register" in ORGANIZATION_FLOW.allowed_actions(organization, user)
    return {
        "show": True,
        "organization": organization,
        "filing": filing,
        "is_open": is_open,
        "overdue": is_open and filing is not None and filing.is_overdue(today),
        "offered": offered_kinds(organization, today) if may_submit and not is_open else [],
        "warning": registry_selectors.filing_warning(organization, today),
        "may_register": may_register,
    }
