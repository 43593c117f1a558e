"""The revenue KPI page (NRR and GRR over the last twelve months and the KPI tree
of a month, for a scope) and its drill-down (the accounts behind a movement).

For admins, managers and members (403 for the other roles); a scope the viewer
may not see (`permissions.revenue_scope_owner`) answers 404. Member, team and pool
figures are the rollup's; the organisation's and a segment's come from the same
selector directly (`selectors.revenue`). A fixed number of queries.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.http import urlencode
from django.utils.translation import pgettext

from config.views import require

from .. import metrics
from ..forms.revenue import SCOPE_LABELS, RevenueScopeForm
from ..permissions import (
    default_revenue_scope,
    members,
    revenue_pools,
    revenue_scope_owner,
    revenue_teams,
    sees_management_pages,
    sees_revenue_overall,
    visible_members,
)
from ..selectors import revenue

# The table and the chart: the twelve complete months and the running one.
MONTHS_SHOWN = 12


@dataclass(frozen=True)
class Scope:
    kind: str
    owner: object  # an id, a segment's name or None (the organisation)
    label: str

    @property
    def query(self) -> dict:
        if self.kind == revenue.ORGANISATION:
            return {"scope": self.kind}
        if self.kind == revenue.SEGMENT:
            return {"scope": self.kind, "segment": self.owner}
        return {"scope": self.kind, "id": self.owner}

    @property
    def picked(self) -> str:
        """Its value in the page's picker."""
        if self.kind == revenue.ORGANISATION:
            return self.kind
        return f"{self.kind}:{self.owner}"


def _scope(request, form: RevenueScopeForm) -> Scope:
    """The scope of the filters (the viewer's default without one); 404 when the
    viewer may not see it."""
    viewer = request.user
    kind = _valid(form, "scope")
    if not kind:
        kind, owner = default_revenue_scope(viewer)
    else:
        owner = form.owner()
        if owner is None and kind in revenue.STORED:
            default_kind, default_owner = default_revenue_scope(viewer)
            owner = default_owner if default_kind == kind else None
    found = revenue_scope_owner(viewer, kind, owner)
    if found is None:
        raise Http404
    if kind == revenue.ORGANISATION:
        label = str(SCOPE_LABELS[kind])
    elif kind == revenue.SEGMENT:
        label = scope_label(kind, owner)
    else:
        label = scope_label(kind, found)
        owner = found.pk
    return Scope(kind, owner, label)


def scope_label(kind: str, name) -> str:
    """ "Team: Alpha", as each language writes it (Japanese with a full-width
    colon)."""
    return pgettext("revenue KPI scope", "%(kind)s: %(name)s") % {
        "kind": SCOPE_LABELS[kind],
        "name": name,
    }


def _valid(form: RevenueScopeForm, field: str):
    """A field's clean value; None when it is missing or wrong (the page says why
    beside the picker and falls back to its default)."""
    return form.cleaned_data.get(field) if field not in form.errors else None


def _months(first: date | None, today: date | None = None) -> list[date]:
    """The twelve complete months before the current one and the current one, from
    the first snapshot's month on."""
    current = metrics.this_month(today)
    months = [metrics.add_months(current, -n) for n in range(MONTHS_SHOWN, -1, -1)]
    return [month for month in months if first is not None and month >= first]


def _tree_month(form, months: list[date]) -> date | None:
    asked = _valid(form, "month")
    if asked:
        return asked
    if not months:
        return None
    # The last complete month, else the running one.
    return months[-2] if len(months) > 1 else months[-1]


def _picker(viewer) -> list[tuple[str, list[tuple[str, str]]]]:
    """The scopes the viewer may pick, grouped: (group label, [(value, label)])."""
    groups = []
    if sees_revenue_overall(viewer):
        groups.append(
            (
                SCOPE_LABELS[revenue.ORGANISATION],
                [(revenue.ORGANISATION, SCOPE_LABELS[revenue.ORGANISATION])],
            )
        )
        groups.append(
            (
                SCOPE_LABELS[revenue.SEGMENT],
                [(f"segment:{name}", name) for name in revenue.segments()],
            )
        )
    teams = revenue_teams(viewer).order_by("name")
    groups.append(
        (SCOPE_LABELS[revenue.TEAM], [(f"team:{t.pk}", t.name) for t in teams])
    )
    pools = revenue_pools(viewer).order_by("name")
    groups.append(
        (SCOPE_LABELS[revenue.POOL], [(f"pool:{p.pk}", p.name) for p in pools])
    )
    people = visible_members(viewer).filter(pk__in=members().values("pk"))
    groups.append(
        (
            SCOPE_LABELS[revenue.MEMBER],
            [
                (f"member:{m.pk}", str(m))
                for m in people.order_by("family_name", "username")
            ],
        )
    )
    return [(label, choices) for label, choices in groups if choices]


@login_required
def revenue_kpis(request):
    viewer = request.user
    require(sees_management_pages(viewer))
    form = RevenueScopeForm(request.GET)
    form.is_valid()
    scope = _scope(request, form)
    first = revenue.first_month()
    months = _months(first)
    tree_month = _tree_month(form, months)
    wanted = sorted(set(months) | ({tree_month} if tree_month else set()))
    found = revenue.scope_months(scope=scope.kind, owner=scope.owner, months=wanted)
    current = metrics.this_month()
    rows = [
        {
            "month": month,
            "key": f"{month:%Y-%m}",
            "figures": found.get(month) or revenue.RevenueMonth(month),
            "running": month == current,
            "query": urlencode({**scope.query, "month": f"{month:%Y-%m}"}),
        }
        for month in reversed(months)
    ]
    tree = None
    if tree_month is not None:
        figures = found.get(tree_month) or revenue.RevenueMonth(tree_month)
        under, beside = revenue.tree_nodes(figures)
        drill = {**scope.query, "month": f"{tree_month:%Y-%m}"}
        tree = {
            "month": tree_month,
            "running": tree_month == current,
            "figures": figures,
            "under": [
                (node, urlencode({**drill, "movement": node.movement}))
                for node in under
            ],
            "beside": [
                (node, urlencode({**drill, "movement": node.movement}))
                for node in beside
            ],
        }
    return render(
        request,
        "recognition/revenue_kpis.html",
        {
            "form": form,
            "scope": scope,
            "picker": _picker(viewer),
            "has_snapshots": first is not None,
            "rows": rows,
            "chart_rows": list(reversed(rows)),
            "tree": tree,
            "stored": scope.kind in revenue.STORED,
            # (2026-04 for the URL, the month): no date format in the template.
            "month_choices": [(f"{m:%Y-%m}", m) for m in reversed(months)],
        },
    )


@login_required
def revenue_accounts(request):
    """The accounts behind one movement of a scope's month."""
    viewer = request.user
    require(sees_management_pages(viewer))
    form = RevenueScopeForm(request.GET)
    form.is_valid()
    scope = _scope(request, form)
    movement = _valid(form, "movement") or revenue.MOVEMENTS[0]
    month = _valid(form, "month") or metrics.add_months(metrics.this_month(), -1)
    rows = revenue.movement_accounts(
        scope=scope.kind,
        owner=None if scope.kind == revenue.ORGANISATION else scope.owner,
        month=month,
        movement=movement,
    )
    labels = dict(revenue.ARRMovement.choices)
    return render(
        request,
        "recognition/revenue_accounts.html",
        {
            "form": form,
            "scope": scope,
            "month": month,
            "movement": movement,
            "movement_label": labels[movement],
            "rows": rows,
            "total": sum(row["change"] for row in rows),
            "back": urlencode({**scope.query, "month": f"{month:%Y-%m}"}),
        },
    )


urlpatterns = [
    path("revenue/", revenue_kpis, name="revenue_kpis"),
    path("revenue/accounts/", revenue_accounts, name="revenue_accounts"),
]
