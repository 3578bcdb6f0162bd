from django.urls import path

from sessions.reach import views

app_name = "reach"

urlpatterns: list = [
    path("", views.reach, name="report"),
    path("reach.csv", views.reach_csv, name="csv"),
    path("breakdowns.csv", views.breakdowns_csv, name="breakdowns_csv"),
]
