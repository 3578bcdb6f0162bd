from django.urls import path

from sessions import reach_views as views

app_name = "reach"

urlpatterns: list = [
    path("", views.reach, name="report"),
    path("reach.csv", views.reach_csv, name="csv"),
]
