from django.urls import path

from sessions.portal import views

app_name = "portal"

urlpatterns = [
    path("me/", views.home, name="home"),
    path("me/invitations/<int:assignment_id>/accept/", views.accept, name="accept"),
    path("me/invitations/<int:assignment_id>/decline/", views.decline, name="decline"),
    path("me/unavailable/", views.unavailable, name="unavailable"),
    path("me/unavailable/<int:unavailability_id>/remove/", views.unavailable_delete, name="unavailable_delete"),
    path("me/visits/<int:visit_id>/report/", views.report, name="report"),
    path("me/details/", views.details, name="details"),
    path("me/details.json", views.details_json, name="details_json"),
    path("me/details.csv", views.details_csv, name="details_csv"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("calendar/regenerate/", views.calendar_regenerate, name="calendar_regenerate"),
    path("calendar/<feed_token:token>.ics", views.feed, name="feed"),
    path("cover/<feed_token:cover_token>/", views.cover, name="cover"),
]
