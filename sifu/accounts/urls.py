from django.urls import path

from sifu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.SifuLoginView.as_view(), name="login"),
    path("accounts/logout/", views.SifuLogoutView.as_view(), name="logout"),
]
