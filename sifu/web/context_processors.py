from django.http import HttpRequest
from django.urls import reverse

from sifu.core.contributions import PublicLink, contributed
from sifu.web.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """Office navigation for signed-in users on office pages; the public header's contributed
    links elsewhere (no queries either way)."""
    if not request.path.startswith("/office/"):
        return {
            "public_links": [{"label": link.label, "url": reverse(link.url_name)} for link in contributed(PublicLink)]
        }
    if not request.user.is_authenticated:
        return {}
    return {"office_nav": navigation_for(request.user, request.path)}
