"""Party portal URLs, under /p/: sign-in, the party's disputes, and two public pages."""

from django.urls import path

from jintiao.web.views import portal as views
from jintiao.web.views import portal_apply, portal_statements

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.sign_in, name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("d/<int:dispute_id>/", views.dispute, name="dispute"),
    path("d/<int:dispute_id>/bound/", views.bound, name="bound"),
    path("d/<int:dispute_id>/signing-code/", views.signing_code, name="signing_code"),
    path("d/<int:dispute_id>/choose/", views.menu_choose, name="menu_choose"),
    path("d/<int:dispute_id>/sign/", views.sign, name="sign"),
    path("d/<int:dispute_id>/offers/<int:offer_id>/answer/", views.offer_answer,
         name="offer_answer"),
    path("d/<int:dispute_id>/counter/", views.counter, name="counter"),
    path("d/<int:dispute_id>/facts/code/", views.facts_code, name="facts_code"),
    path("d/<int:dispute_id>/facts/sign/", views.facts_sign, name="facts_sign"),
    path("d/<int:dispute_id>/recusal/", views.recusal, name="recusal"),
    path("d/<int:dispute_id>/budget/", views.budget, name="budget"),
    path("d/<int:dispute_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("d/<int:dispute_id>/address/", portal_statements.address, name="address"),
    path("d/<int:dispute_id>/statements/<int:statement_id>/sign/", portal_statements.sign,
         name="statement_sign"),
    path("documents/<int:document_id>/", views.document, name="document"),
    path("documents/<int:document_id>/open/", views.document_open, name="document_open"),
    path("apply/", portal_apply.apply, name="apply"),
    path("apply/done/", portal_apply.apply_done, name="apply_done"),
    path("verify/", views.verify, name="verify"),
    path("help/", views.self_help, name="help"),
]
