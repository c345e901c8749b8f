from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sifu.core.permissions import Perm
from sifu.registry import selectors as registry_selectors


def home(request: HttpRequest) -> HttpResponse:
    """The public home: what Sifu is and the directory's headline numbers."""
    return render(request, "web/home.html", {"counts": registry_selectors.public_counts()})


@login_required
def office_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "can_view_orgs": user.has_perm(Perm.ORG_VIEW),
        "summary": registry_selectors.office_summary(user) if user.has_perm(Perm.ORG_VIEW) else None,
    }
    return render(request, "web/office_home.html", context)
