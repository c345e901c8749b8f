from sifu.incubation.views import needs, public

app_name = "incubation"

# Office routes live under /office/, public ones at /.
urlpatterns = [*needs.urls, *public.urls]
