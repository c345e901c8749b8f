"""/api/v1/: each app's api.py mounted on one router (the ``ApiRoute``s the apps contribute), the
OpenAPI schema and Swagger UI (served locally)."""

from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from sifu.core.contributions import ApiRoute, contributed

app_name = "api"

router = DefaultRouter()
for route in contributed(ApiRoute):
    router.register(route.prefix, import_string(route.viewset), basename=route.basename)

urlpatterns = [
    path("", include(router.urls)),
    # Like the data, the schema and its UI are for logged-in users only.
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[IsAuthenticated]),
        name="docs",
    ),
]
