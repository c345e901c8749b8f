from django.http import HttpRequest

from sifu.web.navigation import navigation_for


def navigation(request: HttpRequest) -> dict[str, object]:
    """Office navigation for signed-in users on office pages; nothing elsewhere (no queries)."""
    if not request.path.startswith("/office/") or not request.user.is_authenticated:
        return {}
    return {"office_nav": navigation_for(request.user, request.path)}
