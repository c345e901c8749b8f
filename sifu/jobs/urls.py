from sifu.jobs import views

app_name = "jobs"

urlpatterns = [*views.urls]
