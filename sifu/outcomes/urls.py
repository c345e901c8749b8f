from django.urls import path

from sifu.outcomes import views

app_name = "outcomes"

# Mounted at /office/dashboard/ by config/urls.py.
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
