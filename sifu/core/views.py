"""Small helpers shared by every app's views."""

from django.http import HttpRequest


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without ``names`` (e.g. "page"), for pagination and sort links."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
