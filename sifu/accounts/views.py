from django.contrib.auth import views as auth_views


class SifuLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SifuLogoutView(auth_views.LogoutView):
    pass
