from django.urls import path

from sessions.feedback import views

app_name = "feedback"

urlpatterns = [
    path("feedback/<feed_token:feedback_token>/", views.respond, name="respond"),
    path("feedback/<feed_token:feedback_token>/rate/<int:rating>/", views.rate, name="rate"),
]
