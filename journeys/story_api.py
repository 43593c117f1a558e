"""The success stories API (`/api/v1/success-stories/`): the stories the viewer may
open (published ones, their own drafts; admins all), with the account and the
author's name only when the viewer may see them (null otherwise); writes through
`journeys.story_services`.

- GET lists (filters: `journey`, `from_step`, `playbook`, `account`, `author`,
  `status`, `featured`, `mine`; a bad value answers 400 on it) and reads;
- POST writes a story (a draft, or published at once with `publish`), PATCH changes
  the author's story, DELETE deletes the author's draft;
- POST `{id}/publish/` publishes the author's draft;
- POST `{id}/feature/` features a published story at a month's sharing meeting,
  DELETE `{id}/feature/` stops featuring it (managers, for their teams' members;
  admins).

Admins, managers and members use it: the other roles list nothing and may not
write (403). Another member's draft answers 404; bad input 400 on the field,
nothing written.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from . import permissions, stories, story_services
from .api import CreateMixin, JourneysViewSet
from .models import Step, SuccessStory
from .serializers import IdField, MonthField, ReadableFieldsOnce

# --- Reading ---------------------------------------------------------------------


class SuccessStorySerializer(ReadableFieldsOnce, serializers.ModelSerializer):
    journey = serializers.IntegerField(source="from_step.journey_id", read_only=True)
    journey_name = serializers.CharField(
        source="from_step.journey.name", read_only=True
    )
    from_step_name = serializers.CharField(source="from_step.name", read_only=True)
    to_step_name = serializers.CharField(source="to_step.name", read_only=True)
    playbook = serializers.SerializerMethodField(
        help_text=_("The playbook of the transition, if it has one.")
    )
    account = serializers.SerializerMethodField(
        help_text=_("Null when the viewer does not see the account.")
    )
    account_name = serializers.SerializerMethodField(
        help_text=_("Null when the viewer does not see the account.")
    )
    author = serializers.SerializerMethodField(
        help_text=_("Null when the viewer does not know the author.")
    )
    author_name = serializers.SerializerMethodField(
        help_text=_("Null when the viewer does not know the author.")
    )
    is_mine = serializers.SerializerMethodField()
    featured_month = MonthField(
        read_only=True,
        allow_null=True,
        help_text=_("The month of the sharing meeting it is featured at."),
    )

    class Meta:
        model = SuccessStory
        fields = [
            "id",
            "title",
            "what_we_did",
            "customer_outcome",
            "outcome_on",
            "status",
            "published_at",
            "journey",
            "journey_name",
            "from_step",
            "from_step_name",
            "to_step",
            "to_step_name",
            "playbook",
            "account",
            "account_name",
            "author",
            "author_name",
            "is_mine",
            "featured_month",
            "featured_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_playbook(self, story) -> int | None:
        playbook = getattr(story.from_step, "playbook", None)
        return playbook.pk if playbook else None

    def get_account(self, story) -> int | None:
        return story.account_id if story.shows_account else None

    def get_account_name(self, story) -> str | None:
        return story.account.name if story.shows_account else None

    def get_author(self, story) -> int | None:
        return story.author_id if story.shows_author else None

    def get_author_name(self, story) -> str | None:
        return story.author.display_name if story.shows_author else None

    def get_is_mine(self, story) -> bool:
        return story.author_id == self.context["request"].user.pk


# --- Writing ---------------------------------------------------------------------


class SuccessStoryWriteSerializer(serializers.Serializer):
    account = IdField(help_text=_("An account the author works on (records on)."))
    from_step = IdField(
        help_text=_("The transition: its from step, of the account's journey.")
    )
    to_step = IdField(
        required=False,
        help_text=_("The step after `from_step` (the default); any other is a 400."),
    )
    title = serializers.CharField(max_length=200)
    what_we_did = serializers.CharField()
    customer_outcome = serializers.CharField()
    outcome_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Not in the future.")
    )

    def validate_account(self, value):
        account = (
            permissions.visible_accounts(self.context["request"].user)
            .select_related("journey")
            .filter(pk=value)
            .first()
        )
        if account is None:
            raise serializers.ValidationError(_("There is no such customer account."))
        return account

    def _step(self, value):
        step = Step.objects.filter(pk=value).first()
        if step is None:
            raise serializers.ValidationError(_("There is no such step."))
        return step

    def validate_from_step(self, value):
        return self._step(value)

    def validate_to_step(self, value):
        return self._step(value)


class SuccessStoryCreateSerializer(SuccessStoryWriteSerializer):
    publish = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Publish at once; a draft (the default) is read by its author."),
    )


class SuccessStoryUpdateSerializer(SuccessStoryWriteSerializer):
    account = IdField(required=False)
    from_step = IdField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    what_we_did = serializers.CharField(required=False)
    customer_outcome = serializers.CharField(required=False)
    outcome_on = serializers.DateField(required=False, allow_null=True)


class StoryFeatureSerializer(serializers.Serializer):
    month = MonthField(
        required=False,
        help_text=_(
            "YYYY-MM: not before the month it was published, at most a month "
            "ahead; the month in progress by default."
        ),
    )


class SuccessStoryViewSet(CreateMixin, JourneysViewSet):
    """Success stories: published ones and the viewer's drafts (admins all). The
    author writes, publishes and deletes (a draft) their own; managers feature
    their teams' members' published stories at the sharing meeting (admins any)."""

    serializer_class = SuccessStorySerializer
    create_serializer_class = SuccessStoryCreateSerializer
    filterset_class = stories.StoryFilter
    search_fields = ["title"]
    ordering_fields = ["id", "published_at", "updated_at"]
    queryset = SuccessStory.objects.none()
    write_rule = staticmethod(permissions.writes_stories)
    write_rules = {"feature": permissions.features_stories}

    def get_queryset(self):
        return stories.story_list(self.request.user).select_related(
            "from_step__playbook"
        )

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        permissions.story_disclosure(self.request.user, page)
        return page

    def get_object(self):
        story = super().get_object()
        permissions.story_disclosure(self.request.user, [story])
        return story

    def read(self, pk: int):
        story = super().read(pk)
        permissions.story_disclosure(self.request.user, [story])
        return story

    @extend_schema(
        request=SuccessStoryCreateSerializer,
        responses={201: SuccessStorySerializer},
        description=(
            "Write a story (a draft unless `publish`). An account the viewer does "
            "not work on answers 400 on `account`; a step that is not of the "
            "account's journey, or the last one, 400 on `from_step`."
        ),
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, data):
        return story_services.story_save(by=self.request.user, **data)

    @extend_schema(
        request=SuccessStoryUpdateSerializer,
        responses={200: SuccessStorySerializer},
        description="Change the author's story (the same rules as writing one).",
    )
    def partial_update(self, request, *args, **kwargs):
        story = self.get_object()
        data = self.validated(SuccessStoryUpdateSerializer)
        story_services.story_update(story=story, by=request.user, **data)
        return self.respond(story)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The draft was deleted.")},
        description="Delete the author's draft; a published story stays (403).",
    )
    def destroy(self, request, *args, **kwargs):
        story_services.story_delete(story=self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: SuccessStorySerializer},
        description="Publish the author's draft (a published story stays as it is).",
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        story = self.get_object()
        story_services.story_publish(story=story, by=request.user)
        return self.respond(story)

    @extend_schema(
        request=StoryFeatureSerializer,
        responses={200: SuccessStorySerializer},
        description=(
            "Feature a published story at the sharing meeting of `month`. A month "
            "before its publication or more than a month ahead answers 400."
        ),
        methods=["POST"],
    )
    @extend_schema(
        request=None,
        responses={200: SuccessStorySerializer},
        description="Stop featuring the story.",
        methods=["DELETE"],
    )
    @action(detail=True, methods=["post", "delete"])
    def feature(self, request, pk=None):
        story = self.get_object()
        if request.method == "DELETE":
            story_services.story_unfeature(story=story, by=request.user)
        else:
            data = self.validated(StoryFeatureSerializer)
            story_services.story_feature(
                story=story, by=request.user, month=data.get("month")
            )
        return self.respond(story)
