from django.urls import path

from sifu.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("office/", views.office_home, name="office-home"),
]
