from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sifu.core.permissions import Perm
from sifu.core.views import AuthenticatedHttpRequest
from sifu.incubation.selectors.filings import filings_waiting
from sifu.incubation.selectors.plans import overdue_milestones
from sifu.jobs.selectors import recent_jobs
from sifu.registry import selectors as registry_selectors


def home(request: HttpRequest) -> HttpResponse:
    """The public home: what Sifu is and the directory's headline numbers."""
    return render(request, "web/home.html", {"counts": registry_selectors.public_counts()})


@login_required
def office_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    can_view = user.has_perm(Perm.ORG_VIEW)
    context = {
        "can_view_orgs": can_view,
        "summary": registry_selectors.office_summary(user) if can_view else None,
        "recent": registry_selectors.recent_status_changes(user) if can_view else [],
        # Filing requests waiting for this user's check or decision (None: they neither check nor decide).
        "filings": filings_waiting(user),
        # Milestones of the service plans past their date and not done (None: the user sees no plans).
        "milestones_overdue": overdue_milestones(user, timezone.localdate())
        if user.has_perm(Perm.PLANS_VIEW)
        else None,
        # The user's latest background jobs (imports, large exports), to find them again.
        "recent_jobs": recent_jobs(user),
    }
    return render(request, "web/office_home.html", context)
