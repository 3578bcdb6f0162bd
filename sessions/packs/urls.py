from django.urls import path

from sessions.packs import views

app_name = "packs"

urlpatterns = [
    path("visits/<int:visit_id>/pack.pdf", views.pack, name="pack"),
    path("visits/<int:visit_id>/handouts.pdf", views.handouts, name="handouts"),
    path("packs/batches/new/", views.batch_new, name="batch_new"),
    path("packs/batches/<int:batch_id>/", views.batch_detail, name="batch"),
    path("packs/batches/<int:batch_id>/packs.zip", views.batch_download, name="batch_download"),
]
