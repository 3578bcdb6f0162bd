from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("about/data/", views.about_data, name="about_data"),
    # Password reset by email: sent at once, not through the task queue, so the one-time link is never
    # stored in the database. The same page follows a known and an unknown address.
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # Coordinators' workspace (/plan/, /visits/, /request-a-visit/)
    path("", include("sessions.planning.urls")),
    # Session packs (/visits/<id>/pack.pdf, batches)
    path("", include("sessions.packs.urls")),
    # Volunteers' portal and calendar feeds (/me/, /calendar/<token>.ics)
    path("", include("sessions.portal.urls")),
    # Regional statistics and programme reach (/stats/)
    path("stats/", include("stats.urls")),
    # Programme reach by academic year (/reach/): needs visits, so it lives in sessions
    path("reach/", include("sessions.reach.urls")),
]
