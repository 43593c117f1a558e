from django.urls import path

from . import notices_views, views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("people/<int:pk>/", views.user_detail, name="user_detail"),
    path(
        "people/<int:pk>/leader-since/",
        views.user_set_leader_since,
        name="user_leader_since",
    ),
    path("audit/", views.audit_history, name="audit_history"),
    path("notices/", notices_views.notice_list, name="notice_list"),
    path("notices/<int:pk>/open/", notices_views.notice_open, name="notice_open"),
    path("notices/read/", notices_views.notices_read_all, name="notices_read_all"),
]
