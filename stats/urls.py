from django.urls import path

from stats import views

app_name = "stats"

urlpatterns: list = [
    path("", views.index, name="index"),
    path("areas.csv", views.index_csv, name="areas_csv"),
    path("<ons_code:code>/", views.area, name="area"),  # config/converters.py
]
