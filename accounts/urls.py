from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path("audit/", views.audit_history, name="audit_history"),
]
