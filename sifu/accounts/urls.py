from django.urls import path

from sifu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.SifuLoginView.as_view(), name="login"),
    path("accounts/logout/", views.SifuLogoutView.as_view(), name="logout"),
    path("office/accounts/", views.user_list, name="user-list"),
    path("office/accounts/new/", views.user_create, name="user-create"),
    path("office/accounts/<int:pk>/", views.user_detail, name="user-detail"),
    path("office/accounts/<int:pk>/grant/", views.role_grant, name="role-grant"),
    path("office/accounts/<int:pk>/active/", views.user_set_active, name="user-set-active"),
    path("office/grants/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
    path("office/areas/", views.area_list, name="area-list"),
    path("office/areas/new/", views.area_create, name="area-create"),
]
