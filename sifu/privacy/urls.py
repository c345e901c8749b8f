from sifu.privacy.views import urls

app_name = "privacy"

urlpatterns = [*urls]
