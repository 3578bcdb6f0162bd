from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("about/data/", views.about_data, name="about_data"),
    path("favicon.ico", views.favicon, name="favicon"),
    # Password reset by email: the same page after the same work for a known and an unknown address; the
    # task worker makes the one-time link as it sends it, so the link is never stored in the database
    # (the queue holds account ids only). config/password_reset.py explains.
    path("accounts/password_reset/", views.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # The language switch (English / Cymraeg): Django's set_language, a POST with the CSRF token
    path("i18n/", include("django.conf.urls.i18n")),
    # Coordinators' workspace (/plan/, /visits/, /request-a-visit/)
    path("", include("sessions.planning.urls")),
    # Session packs (/visits/<id>/pack.pdf, batches)
    path("", include("sessions.packs.urls")),
    # Volunteers' portal and calendar feeds (/me/, /calendar/<token>.ics)
    path("", include("sessions.portal.urls")),
    # Teacher feedback on a delivered visit, from the emailed links (/feedback/<token>/)
    path("", include("sessions.feedback.urls")),
    # A school's own page for its visit (/school-visit/<token>/): the emailed token is the only key
    path("", include("sessions.schools_side.urls")),
    # Regional statistics and programme reach (/stats/)
    path("stats/", include("stats.urls")),
    # Programme reach by academic year (/reach/): needs visits, so it lives in sessions
    path("reach/", include("sessions.reach.urls")),
]
