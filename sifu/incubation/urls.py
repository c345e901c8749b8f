from sifu.incubation.views import candidates, needs, plans, public

app_name = "incubation"

# Office routes live under /office/, public ones at /.
urlpatterns = [*needs.urls, *candidates.urls, *plans.urls, *public.urls]
