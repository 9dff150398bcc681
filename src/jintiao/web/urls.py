"""Workbench URLs."""

from django.contrib.auth import views as auth_views
from django.urls import path

from jintiao.web import views

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
]
