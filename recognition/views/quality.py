"""Pages: quality of hire (with retiring questions that predict nothing) and
proposed success-profile weights from top performers. Admins only
(`permissions.manages_recognition`): anyone else gets 403, visitors the login."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.views import add_service_errors
from hiring import selectors as hiring_selectors
from hiring.models import Question

from .. import permissions
from ..forms.quality import ProposedWeightsForm, RetireQuestionForm, TopPerformerForm
from ..selectors import quality as selectors
from ..services import profiles as services

PER_PAGE = 25


def _require_admin(user) -> None:
    if not permissions.manages_recognition(user):
        raise PermissionDenied


# --- Quality of hire ------------------------------------------------------------------


@login_required
def quality_of_hire(request):
    _require_admin(request.user)
    report = selectors.quality_of_hire(viewer=request.user)
    page = Paginator(report.hires, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/quality.html",
        {"report": report, "page": page},
    )


@login_required
def question_retire(request, pk: int):
    """Confirm, then take a question that predicts nothing out of its kits."""
    _require_admin(request.user)
    question = get_object_or_404(Question.objects.select_related("competency"), pk=pk)
    form = RetireQuestionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            kits = services.question_retire_from_kits(
                question=question,
                by=request.user,
                retire_from_bank=form.cleaned_data["retire_from_bank"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["retire_from_bank"]:
                text = ngettext(
                    "The question was taken out of %(count)s kit and retired from "
                    "the question bank.",
                    "The question was taken out of %(count)s kits and retired from "
                    "the question bank.",
                    len(kits),
                )
            else:
                text = ngettext(
                    "The question was taken out of %(count)s kit.",
                    "The question was taken out of %(count)s kits.",
                    len(kits),
                )
            messages.success(request, text % {"count": len(kits)})
            return redirect("recognition:quality")
    report = selectors.quality_of_hire(viewer=request.user)
    return render(
        request,
        "recognition/quality_retire.html",
        {
            "question": question,
            "form": form,
            "kits": hiring_selectors.question_kits(
                viewer=request.user, question=question
            ),
            "row": report.question_row(question.pk),
            "report": report,
        },
    )


# --- Proposed weights from top performers ---------------------------------------------


def _selection(form: TopPerformerForm):
    """(the top performers, the top quarter or None, the note saying how they were
    chosen) for a valid form."""
    if form.cleaned_data["how"] == TopPerformerForm.BY_HAND:
        chosen = list(form.cleaned_data["members"])
        note = ngettext(
            "%(count)s member chosen by hand: %(names)s",
            "%(count)s members chosen by hand: %(names)s",
            len(chosen),
        ) % {
            "count": len(chosen),
            "names": ", ".join(member.display_name for member in chosen),
        }
        return chosen, None, note
    quarter = selectors.top_quarter(metric=form.chosen_metric)
    chosen = [row.member for row in quarter.ranked if row.is_top]
    note = _("The top quarter of “%(metric)s” over %(period)s: %(names)s") % {
        "metric": quarter.metric.label,
        "period": quarter.period.label,
        "names": ", ".join(member.display_name for member in chosen),
    }
    return chosen, quarter, note


def _selection_params(form: TopPerformerForm) -> list[tuple[str, str]]:
    """The choice of top performers, carried along with the weights when saving."""
    params = [("how", form.cleaned_data["how"])]
    if form.cleaned_data["how"] == TopPerformerForm.BY_HAND:
        params += [
            ("members", str(member.pk)) for member in form.cleaned_data["members"]
        ]
    else:
        params.append(("metric", form.cleaned_data["metric"]))
    return params


def _weight_field(key: str) -> str:
    return ProposedWeightsForm.weight_field(key) if key.isdigit() else key


def _save_proposal(request, form: ProposedWeightsForm, note: str):
    """Save the reviewed weights; the profile, or None with the errors on the form."""
    existing = form.cleaned_data["target"] == ProposedWeightsForm.EXISTING
    try:
        profile = services.profile_save_proposed(
            weights=form.weights(),
            by=request.user,
            note=note,
            profile=form.cleaned_data["profile"] if existing else None,
            name=form.cleaned_data["name"],
            name_en=form.cleaned_data["name_en"],
            description=form.cleaned_data["description"],
        )
    except ValidationError as error:
        add_service_errors(form, error, rename=_weight_field)
        return None
    messages.success(
        request,
        _("The weights were saved into the success profile “%(name)s”.")
        % {"name": profile},
    )
    return profile


@login_required
def top_performers(request):
    """Choose top performers (GET), review the weights Kata proposes from their
    assessments, and save them into a success profile (POST)."""
    _require_admin(request.user)
    posted = request.method == "POST"
    data = request.POST if posted else (request.GET if "how" in request.GET else None)
    selection_form = TopPerformerForm(
        data,
        member_choices=selectors.member_choices(),
        metrics=selectors.rankable_metrics(),
    )
    context = {
        "selection_form": selection_form,
        "period": selectors.top_performer_period(),
    }
    if selection_form.is_valid():
        top_members, quarter, note = _selection(selection_form)
        if not top_members:
            selection_form.add_error(
                "metric",
                _("No member has a figure for this metric over the last six months."),
            )
        else:
            proposal = selectors.proposed_weights(
                top_ids={member.pk for member in top_members}
            )
            save_form = ProposedWeightsForm(
                request.POST if posted else None,
                rows=proposal.rows,
                profiles=selectors.saveable_profiles(),
                initial={"description": note},
            )
            if posted and save_form.is_valid():
                profile = _save_proposal(request, save_form, note)
                if profile is not None:
                    return redirect(profile)
            context.update(
                quarter=quarter,
                top_members=top_members,
                proposal=proposal,
                save_form=save_form,
                selection_params=_selection_params(selection_form),
            )
    return render(request, "recognition/top_performers.html", context)


urlpatterns = [
    path("quality/", quality_of_hire, name="quality"),
    path(
        "quality/questions/<int:pk>/retire/",
        question_retire,
        name="quality_question_retire",
    ),
    path("quality/top-performers/", top_performers, name="top_performers"),
]
