from django.urls import path

from sessions.schools_side import views

app_name = "schools_side"

# The token is the page's only key (a credential: the request log redacts it by its name).
urlpatterns = [
    path("school-visit/<feed_token:school_token>/", views.page, name="page"),
    path("school-visit/<feed_token:school_token>/details/", views.details, name="details"),
    path("school-visit/<feed_token:school_token>/agree/", views.agree, name="agree"),
    path("school-visit/<feed_token:school_token>/other-dates/", views.other_dates, name="other_dates"),
    path("school-visit/<feed_token:school_token>/cancel/", views.cancel, name="cancel"),
]
