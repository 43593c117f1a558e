from django.contrib.auth import authenticate
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, permissions, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.api import parse_id

from . import selectors, services
from .client_ip import client_ip
from .filters import TeamFilter, UserFilter
from .models import Team, User
from .serializers import (
    USER_COLUMNS,
    USER_ROWS,
    MeSerializer,
    TeamDetailSerializer,
    TeamSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    UserSerializer,
)


class LoginThrottle(ScopedRateThrottle):
    """Counts attempts per client address, by the trusted-proxy rule of the lockout:
    a forged X-Forwarded-For is not a new client."""

    def get_ident(self, request):
        return client_ip(request)


class ObtainTokenView(APIView):
    """Exchange a username (or email) and password for an API token."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [LoginThrottle]
    throttle_scope = "auth"

    @extend_schema(
        request=TokenRequestSerializer,
        # 400 (wrong credentials) and 429 (throttled): config.schema documents them.
        responses={200: TokenResponseSerializer},
        operation_id="auth_token_create",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            # Django's own request: the login lockout marks it, and answers 429.
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            raise ValidationError(
                {"non_field_errors": [_("Unable to log in with these credentials.")]}
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user's own profile."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.user_list(viewer=self.request.user).get(
            pk=self.request.user.pk
        )

    def perform_update(self, serializer):
        user = serializer.instance
        data = {
            field: serializer.validated_data.get(field, getattr(user, field))
            for field in services.PROFILE_FIELDS
        }
        services.user_update_profile(user=user, **data)


class UserViewSet(viewsets.ReadOnlyModelViewSet):
    """Users the caller may see: admins everyone, leaders their teams' members."""

    serializer_class = UserSerializer
    filterset_class = UserFilter
    search_fields = [
        "username",
        "family_name",
        "given_name",
        "family_name_reading",
        "given_name_reading",
        "email",
    ]
    ordering_fields = ["family_name_reading", "username", "id"]
    queryset = User.objects.none()

    def get_queryset(self):
        return selectors.user_list(viewer=self.request.user)

    def get_object(self):
        # What cannot be an id names no user (config.api.parse_id: "１", 2**64).
        if parse_id(self.kwargs["pk"]) is None:
            raise Http404
        return super().get_object()

    def list(self, request, *args, **kwargs):
        # Rows, not users (config.rows): the same JSON at a fraction of the time.
        users = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        page = self.paginate_queryset(users.values(*USER_COLUMNS))
        roles = selectors.role_names({row["id"] for row in page})
        return self.get_paginated_response(USER_ROWS.rows(page, roles=roles))


class TeamViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Teams the caller may see."""

    filterset_class = TeamFilter
    search_fields = ["name"]
    ordering_fields = ["name", "id"]
    queryset = Team.objects.none()

    def get_serializer_class(self):
        return TeamDetailSerializer if self.action == "retrieve" else TeamSerializer

    def get_queryset(self):
        return selectors.team_list(viewer=self.request.user)

    def get_object(self):
        # The detail carries the roster, prefetched by the selector.
        # What cannot be an id names no team (config.api.parse_id: "٣", 2**64).
        pk = parse_id(self.kwargs["pk"])
        if pk is None:
            raise Http404
        try:
            team = selectors.team_get(viewer=self.request.user, pk=pk)
        except Team.DoesNotExist:
            raise Http404 from None
        self.check_object_permissions(self.request, team)
        return team
