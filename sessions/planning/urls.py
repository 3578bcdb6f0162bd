from django.urls import path

from sessions.planning import calendar, report, request, term_views, views, volunteers

app_name = "planning"

urlpatterns: list = [
    path("plan/", views.dashboard, name="dashboard"),
    path("plan/calendar/", calendar.calendar, name="calendar"),
    path("plan/due/", views.due, name="due"),
    path("plan/schools/", views.schools, name="schools"),
    path("plan/term/", term_views.term_plan, name="term_plan"),
    path("plan/term/<int:draft_id>/", term_views.term_draft, name="term_draft"),
    path("plan/term/<int:draft_id>/create/", term_views.term_draft_create, name="term_draft_create"),
    path("plan/schools/<int:urn>/", views.school_detail, name="school"),
    path("plan/volunteers/", volunteers.volunteers, name="volunteers"),
    path("plan/volunteers/<int:volunteer_pk>/", volunteers.volunteer_detail, name="volunteer"),
    path("visits/new/", views.visit_create, name="visit_create"),
    path("visits/new/check/", views.visit_validate, name="visit_validate_new"),
    path("visits/new/schools/", views.visit_school_options, name="visit_school_options"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/edit/", views.visit_edit, name="visit_edit"),
    path("visits/<int:pk>/check/", views.visit_validate, name="visit_validate"),
    path("visits/<int:pk>/problems/", views.visit_problems, name="visit_problems"),
    path("visits/<int:pk>/staffing/", views.visit_staffing, name="visit_staffing"),
    path("visits/<int:pk>/workflow/", views.visit_workflow, name="visit_workflow"),
    path("visits/<int:pk>/assign/", views.assign, name="assign"),
    path("visits/<int:pk>/assignments/<int:assignment_pk>/remove/", views.unassign, name="unassign"),
    path("visits/<int:pk>/assignments/<int:assignment_pk>/make-lead/", views.make_lead, name="make_lead"),
    path("visits/<int:pk>/volunteers/<int:volunteer_pk>/may-lead/", views.allow_to_lead, name="allow_to_lead"),
    path("visits/<int:pk>/status/", views.change_status, name="change_status"),
    path("visits/<int:pk>/cover/", views.find_cover, name="find_cover"),
    path("visits/<int:pk>/report/", report.correct_report, name="report_correct"),
    path("request-a-visit/", request.request_visit, name="request"),
    path("request-a-visit/thanks/", request.request_thanks, name="request_thanks"),
]
