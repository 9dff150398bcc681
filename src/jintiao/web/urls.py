"""Workbench URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from jintiao.web.views import assignment, evaluation, mediation, offers, plans
from jintiao.web.views import disputes as views

app_name = "web"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/new/party-row/", views.party_row, name="party_row"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:dispute_id>/actions/", views.dispute_action, name="dispute_action"),
    path("disputes/<int:dispute_id>/representatives/", views.dispute_representative,
         name="dispute_representative"),
    # the mediation workbench
    path("disputes/<int:dispute_id>/mediation/", mediation.mediation_page, name="mediation"),
    path("disputes/<int:dispute_id>/assignment/", assignment.assignment_page,
         name="assignment"),
    path("disputes/<int:dispute_id>/triage/", assignment.triage, name="triage"),
    path("disputes/<int:dispute_id>/assign/", assignment.assign, name="assign"),
    path("disputes/<int:dispute_id>/recusals/", mediation.recusal_request,
         name="recusal_request"),
    path("recusals/<int:recusal_id>/decision/", mediation.recusal_decide,
         name="recusal_decide"),
    path("disputes/<int:dispute_id>/sessions/", mediation.session_schedule,
         name="session_schedule"),
    path("sessions/<int:session_id>/record/", mediation.session_record, name="session_record"),
    path("sessions/<int:session_id>/notes/", mediation.caucus_note, name="caucus_note"),
    path("sessions/<int:session_id>/attachments/", mediation.attachment_upload,
         name="attachment_upload"),
    path("attachments/<int:attachment_id>/", mediation.attachment_download,
         name="attachment_download"),
    path("disputes/<int:dispute_id>/budget/", mediation.budget, name="budget"),
    path("disputes/<int:dispute_id>/consents/", mediation.consent, name="consent"),
    path("disputes/<int:dispute_id>/plans/", plans.plans, name="plans"),
    path("offers/<int:offer_id>/answer/", offers.offer_answer, name="offer_answer"),
    path("offers/<int:offer_id>/withdraw/", offers.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:offer_id>/approval/", offers.approval_request,
         name="approval_request"),
    path("approvals/", offers.approvals, name="approvals"),
    path("approvals/<int:approval_id>/decision/", offers.approval_decide,
         name="approval_decide"),
    path("disputes/<int:dispute_id>/blind/", offers.blind_bound, name="blind_bound"),
    path("disputes/<int:dispute_id>/evaluation/", evaluation.evaluation, name="evaluation"),
]
