from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from sifu.core import contributions
from sifu.core.views import AuthenticatedHttpRequest, office_view


def home(request: HttpRequest) -> HttpResponse:
    """The public home: the sections the apps contribute (the directory's headline numbers, …),
    then the four stages."""
    return render(request, "web/home.html", {"sections": contributions.public_sections("home", request)})


@office_view()
def office_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The office home: the tiles, to-do items and sections the apps contribute, for this user's
    scope (each block's data is also in the context under its name)."""
    context, blocks = contributions.office_home(request.user, timezone.localdate())
    return render(request, "web/office_home.html", {**context, "home_blocks": blocks})
