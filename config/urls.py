from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.static import serve

from sifu.core.contributions import UrlMount, contributed

urlpatterns: list[URLPattern | URLResolver] = [
    # Each app mounts its own URLconf (UrlMount in its contributions.py), in app order.
    *(path(mount.prefix, include(mount.module)) for mount in contributed(UrlMount)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Error pages in the site's layout (sifu/core/errors.py); the CSRF failure page: settings.CSRF_FAILURE_VIEW.
handler400 = "sifu.core.errors.bad_request"
handler403 = "sifu.core.errors.permission_denied"
handler404 = "sifu.core.errors.page_not_found"
handler500 = "sifu.core.errors.server_error"

if settings.DEBUG:  # pragma: no cover - production serves media from the web server
    urlpatterns += [path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT})]
