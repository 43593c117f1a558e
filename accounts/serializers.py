from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from config.rows import RowsWriter

from .models import Team, TeamMembership, User, display_name
from .services import PROFILE_FIELDS


class UserSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "display_name",
            *PROFILE_FIELDS,
            "is_active",
            "roles",
        ]
        read_only_fields = fields

    def get_roles(self, user) -> list[str]:
        # Groups are prefetched by the selector (accounts.selectors.user_list).
        groups = getattr(user, "role_groups", None)
        if groups is None:
            groups = user.groups.all()
        return sorted(group.name for group in groups)


def _display_name(row, context) -> str:
    return display_name(row["family_name"], row["given_name"], row["username"])


def _roles(row, context) -> list[str]:
    return context["roles"].get(row["id"], [])


# The user list reads rows, not users (config.rows): each field's column.
USER_ROWS = RowsWriter(
    UserSerializer,
    {
        "id": "id",
        "username": "username",
        "display_name": _display_name,
        **{name: name for name in PROFILE_FIELDS},
        "is_active": "is_active",
        "roles": _roles,
    },
)
USER_COLUMNS = ("id", "username", *PROFILE_FIELDS, "is_active")


class MeSerializer(UserSerializer):
    class Meta(UserSerializer.Meta):
        read_only_fields = ["id", "username", "display_name", "is_active", "roles"]


class TeamMemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["user_id", "display_name", "start_date", "end_date"]


class TeamSerializer(serializers.ModelSerializer):
    leader_id = serializers.IntegerField(allow_null=True, read_only=True)
    leader_name = serializers.CharField(
        source="leader.display_name", allow_null=True, read_only=True, default=None
    )
    parent_id = serializers.IntegerField(allow_null=True, read_only=True)
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ["id", "name", "parent_id", "leader_id", "leader_name", "member_count"]


class TeamDetailSerializer(TeamSerializer):
    members = TeamMemberSerializer(
        source="current_memberships", many=True, read_only=True
    )

    class Meta(TeamSerializer.Meta):
        fields = TeamSerializer.Meta.fields + ["members"]


class TokenRequestSerializer(serializers.Serializer):
    # The longest email; the login lockout stores what was typed (up to 255).
    username = serializers.CharField(label=_("Username or email"), max_length=254)
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)
