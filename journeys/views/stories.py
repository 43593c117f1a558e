"""Journeys pages: the success-story library, a story, writing and editing one
(saved as a draft, then published), deleting a draft, and featuring a story at the
sharing meeting (managers, for their teams' members; admins). Who may is in
`journeys.permissions`, the reads in `journeys.stories`, the writes in
`journeys.story_services`. The library is for admins, managers and members (403
for the other roles); a story the viewer may not open answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.api import parse_id
from config.views import add_service_errors, posted, require

from .. import permissions, selectors, stories, story_services
from ..forms.stories import FeatureForm, StoryForm, present_story_filters
from ..models import CustomerAccount, SuccessStory

PER_PAGE = 20


def _story(request, pk: int) -> SuccessStory:
    require(permissions.reads_stories(request.user))
    story = get_object_or_404(
        stories.story_list(request.user).select_related("account__journey"), pk=pk
    )
    permissions.story_disclosure(request.user, [story])
    return story


def _own_story(request, pk: int) -> SuccessStory:
    """The story, 404 when the viewer may not open it, 403 when it is not theirs
    to change."""
    story = _story(request, pk)
    require(permissions.can_edit_story(request.user, story))
    return story


@login_required
def story_list(request):
    viewer = request.user
    require(permissions.reads_stories(viewer))
    library = stories.story_library(viewer)
    filterset = stories.StoryFilter(
        request.GET or None, queryset=library, request=request
    )
    journeys = permissions.visible_journeys(viewer).order_by("name")
    form = present_story_filters(
        filterset.form,
        journeys=journeys,
        transitions=stories.transitions(journeys),
    )
    valid = not filterset.is_bound or filterset.is_valid()
    page = Paginator(filterset.qs if valid else library.none(), PER_PAGE).get_page(
        request.GET.get("page")
    )
    permissions.story_disclosure(viewer, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "journeys/stories/story_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": any(
                request.GET.get(name)
                for name in ("journey", "from_step", "featured", "mine", "account")
            ),
            "writes": permissions.writes_stories(viewer),
        },
    )


@login_required
def story_detail(request, pk: int):
    story = _story(request, pk)
    viewer = request.user
    feature_form = FeatureForm(
        initial={"month": f"{story.featured_month:%Y-%m}"}
        if story.featured_month
        else None
    )
    return render(
        request,
        "journeys/stories/story_detail.html",
        _detail_context(viewer, story, feature_form),
    )


def _detail_context(viewer, story, feature_form) -> dict:
    return {
        "story": story,
        "playbook": selectors.visible_playbooks(viewer)
        .filter(from_step=story.from_step)
        .first(),
        "modules": permissions.visible_training_modules(viewer)
        .filter(from_step=story.from_step)
        .order_by("title"),
        "edits": permissions.can_edit_story(viewer, story),
        "deletes": permissions.can_delete_story(viewer, story),
        "features": permissions.can_feature_story(viewer, story),
        "feature_form": feature_form,
    }


# More accounts than this, and the story form offers only the one chosen.
LISTED_ACCOUNTS = 300


def _writable_accounts(viewer):
    return (
        permissions.playbook_accounts(viewer)
        .select_related("journey")
        .order_by("name", "id")
    )


def _story_form(request, *, initial, story=None):
    """The form; editing a story keeps its account on offer even when its author
    no longer works on it (the service checks a change of account only)."""
    accounts = _writable_accounts(request.user)
    if story is not None:
        accounts = accounts | CustomerAccount.objects.filter(
            pk=story.account_id
        ).select_related("journey")
    listed = None
    if accounts.count() > LISTED_ACCOUNTS:
        # Too many for a menu: the account chosen (by the account page's link, the
        # story or what was posted) only.
        chosen = {
            parse_id(str(value))
            for value in (
                initial.get("account"),
                story.account_id if story else None,
                request.POST.get("account"),
            )
            if value
        }
        listed = accounts.filter(pk__in=chosen - {None})
    transitions = stories.transitions(permissions.visible_journeys(request.user))
    if story is not None:
        transitions = _with_own_transition(transitions, story)
    return StoryForm(
        posted(request),
        initial=initial,
        accounts=accounts,
        listed=listed,
        transitions=transitions,
    )


def _with_own_transition(transitions: list, story: SuccessStory) -> list:
    """The menu offers the story's own transition as it was written (its from step
    retired since, or a step inserted after it), in place of today's one from the
    same step: an edit of the text keeps the story's steps."""
    own = (story.from_step, story.to_step)
    pairs = [own if pair[0].pk == story.from_step_id else pair for pair in transitions]
    return pairs if own in pairs else pairs + [own]


def _save(request, form, story=None):
    """Write the form's story; the story, or None when the service refused."""
    publish = "publish" in request.POST
    try:
        saved = story_services.story_save(
            by=request.user, story=story, publish=publish, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    if publish:
        messages.success(
            request, _("Your story is published: the organisation can read it.")
        )
    elif saved.is_draft:
        messages.success(
            request,
            _("Saved as a draft: only you read it until you publish it."),
        )
    else:
        messages.success(request, _("The story was saved."))
    return saved


@login_required
def story_create(request):
    viewer = request.user
    require(permissions.writes_stories(viewer))
    initial = {}
    account_id = parse_id(request.GET.get("account", ""))
    if account_id:
        account = _writable_accounts(viewer).filter(pk=account_id).first()
        if account is None:
            raise Http404
        initial["account"] = account.pk
    form = _story_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        story = _save(request, form)
        if story is not None:
            return redirect(story)
    return render(
        request, "journeys/stories/story_form.html", {"form": form, "story": None}
    )


@login_required
def story_edit(request, pk: int):
    story = _own_story(request, pk)
    form = _story_form(
        request,
        story=story,
        initial={
            "account": story.account_id,
            "from_step": str(story.from_step_id),
            "title": story.title,
            "what_we_did": story.what_we_did,
            "customer_outcome": story.customer_outcome,
            "outcome_on": story.outcome_on,
        },
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and _save(request, form, story) is not None
    ):
        return redirect(story)
    return render(
        request, "journeys/stories/story_form.html", {"form": form, "story": story}
    )


@login_required
@require_POST
def story_publish(request, pk: int):
    story = _own_story(request, pk)
    story_services.story_publish(story=story, by=request.user)
    messages.success(
        request, _("Your story is published: the organisation can read it.")
    )
    return redirect(story)


@login_required
@require_POST
def story_delete(request, pk: int):
    story = _story(request, pk)
    require(permissions.can_delete_story(request.user, story))
    story_services.story_delete(story=story, by=request.user)
    messages.success(request, _("The draft was deleted."))
    return redirect("journeys:story_list")


@login_required
@require_POST
def story_feature(request, pk: int):
    story = _story(request, pk)
    viewer = request.user
    require(permissions.can_feature_story(viewer, story))
    form = FeatureForm(request.POST)
    if form.is_valid():
        try:
            story_services.story_feature(
                story=story, by=viewer, month=form.cleaned_data["month"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Featured at the sharing meeting of %(month)s.")
                % {"month": f"{story.featured_month:%Y-%m}"},
            )
            return redirect(story)
    return render(
        request,
        "journeys/stories/story_detail.html",
        _detail_context(viewer, story, form),
        status=400,
    )


@login_required
@require_POST
def story_unfeature(request, pk: int):
    story = _story(request, pk)
    require(permissions.can_feature_story(request.user, story))
    story_services.story_unfeature(story=story, by=request.user)
    messages.success(request, _("The story is no longer featured."))
    return redirect(story)


urlpatterns = [
    path("stories/", story_list, name="story_list"),
    path("stories/new/", story_create, name="story_create"),
    path("stories/<int:pk>/", story_detail, name="story_detail"),
    path("stories/<int:pk>/edit/", story_edit, name="story_edit"),
    path("stories/<int:pk>/publish/", story_publish, name="story_publish"),
    path("stories/<int:pk>/delete/", story_delete, name="story_delete"),
    path("stories/<int:pk>/feature/", story_feature, name="story_feature"),
    path("stories/<int:pk>/unfeature/", story_unfeature, name="story_unfeature"),
]
