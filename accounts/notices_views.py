"""The in-app notices page: the user's own notices, newest first; opening one marks
it read, and so does "mark all read". Another user's notice answers 404."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import notifications, services

NOTICES_PER_PAGE = 25


@login_required
def notice_list(request):
    page = Paginator(notifications.notices_of(request.user), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/notice_list.html", {"page": page})


@login_required
@require_POST
def notice_open(request, pk: int):
    notice = get_object_or_404(notifications.notices_of(request.user), pk=pk)
    services.notices_mark_read(user=request.user, notice_ids=[notice.pk])
    if notice.link and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notice.link)
    return redirect(reverse("accounts:notice_list"))


@login_required
@require_POST
def notices_read_all(request):
    services.notices_mark_read(user=request.user)
    return redirect(reverse("accounts:notice_list"))
