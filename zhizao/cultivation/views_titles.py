"""认定称号 pages: the registry with its download, one title with its history, revocation (摘牌)
and publication by the city admin, and the public list anyone may read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from zhizao.core.roles import is_city_admin
from zhizao.core.scoping import get_scoped_object_or_404, is_visible, scope_queryset
from zhizao.core.xlsx import table_workbook_bytes
from zhizao.cultivation.filters import PublicTitleFilter, TitleFilter
from zhizao.cultivation.forms import PublishForm, RevokeForm
from zhizao.cultivation.models import Application, Title
from zhizao.cultivation.services import (
    CultivationError,
    public_titles,
    publish_titles,
    revoke_title,
)
from zhizao.cultivation.views import page_of, styled, xlsx_response

TITLE_HEADERS = [
    _("称号持有者"), _("称号类型"), _("所属区县"), _("产业集群"), _("项目名称"), _("认定年度"), _("批次"),
    _("认定文号"), _("认定日期"), _("摘牌日期"), _("摘牌原因"), _("已公开"),
]  # fmt: skip


def _titles(user):
    return scope_queryset(
        user, Title.objects.select_related("title_type", "region", "cluster", "enterprise")
    )


@login_required
@require_GET
def title_list(request):
    filterset = styled(TitleFilter(request.GET or None, queryset=_titles(request.user)))
    titles = filterset.qs.order_by("-year", "title_type__sort_order", "holder_name", "pk")
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                t.holder_name,
                t.title_type.name,
                t.region.name,
                t.cluster.name if t.cluster_id else "",
                t.project_name,
                t.year,
                t.batch_label,
                t.document_number,
                t.recognised_on,
                t.revoked_on,
                t.revoke_reason,
                _("是") if t.published else _("否"),
            ]
            for t in titles
        ]
        content = table_workbook_bytes(_("认定称号名单"), TITLE_HEADERS, rows)
        return xlsx_response(content, "titles.xlsx")
    page, query = page_of(request, titles)
    city = is_city_admin(request.user)
    return render(
        request,
        "cultivation/title_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query,
            "is_city": city,
            "publish_form": PublishForm(initial={"year": timezone.localdate().year - 1})
            if city
            else None,
        },
    )


@login_required
@require_GET
def title_detail(request, pk: int):
    title = get_scoped_object_or_404(
        request.user,
        Title.objects.select_related("title_type", "region", "cluster", "enterprise", "batch"),
        pk=pk,
    )
    history = title.history.select_related("history_user").order_by("-history_date", "-pk")
    application = None
    if title.application_id:
        application = scope_queryset(
            request.user, Application.objects.filter(pk=title.application_id)
        ).first()
    city = is_city_admin(request.user)
    return render(
        request,
        "cultivation/title_detail.html",
        {
            "title": title,
            "enterprise_link": is_visible(request.user, title.enterprise),
            "history": history,
            "application": application,
            "is_city": city,
            "revoke_form": RevokeForm(initial={"revoked_on": timezone.localdate()})
            if city and not title.is_revoked
            else None,
        },
    )


@login_required
@require_POST
def title_revoke(request, pk: int):
    title = get_scoped_object_or_404(request.user, Title.objects.all(), pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cultivation:title", pk=title.pk)
    try:
        revoke_title(
            title,
            request.user,
            revoked_on=form.cleaned_data["revoked_on"],
            reason=form.cleaned_data["reason"],
        )
    except CultivationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(holder_name)s的%(name)s称号已摘牌。")
            % {"holder_name": title.holder_name, "name": title.title_type.name},
        )
    return redirect("cultivation:title", pk=title.pk)


@login_required
@require_POST
def title_publish(request):
    if not is_city_admin(request.user):
        raise Http404
    form = PublishForm(request.POST)
    if form.is_valid():
        year, title_type = form.cleaned_data["year"], form.cleaned_data["title_type"]
        try:
            count = publish_titles(request.user, year=year, title_type=title_type)
        except CultivationError as exc:
            messages.error(request, str(exc))
        else:
            which = title_type.name if title_type else _("全部类型")
            messages.success(
                request,
                _("已公开%(year)s年%(which)s认定名单，新公开 %(count)s 项。")
                % {"year": year, "which": which, "count": count},
            )
    else:
        messages.error(request, _("请填写要公开的认定年度。"))
    return redirect("cultivation:titles")


PUBLIC_HEADERS = [
    _("序号"), _("名称"), _("称号类型"), _("认定年度"), _("所属区县"), _("批次"), _("认定文号"),
    _("认定日期"),
]  # fmt: skip


@require_GET
def public_title_list(request):
    """The published, unrevoked titles for anyone: searched, filtered and paged, or the whole
    filtered list as a workbook (one filter class serves both)."""
    filterset = styled(
        PublicTitleFilter(request.GET or None, queryset=public_titles(), request=request)
    )
    titles = filterset.qs.select_related("title_type", "region").order_by(
        "-year", "title_type__sort_order", "region__sort_order", "holder_name", "pk"
    )
    if request.GET.get("format") == "xlsx":
        rows = [
            [
                number,
                t.holder_name,
                t.title_type.name,
                t.year,
                t.region.name,
                t.batch_label,
                t.document_number,
                t.recognised_on,
            ]
            for number, t in enumerate(titles, start=1)
        ]
        content = table_workbook_bytes(
            gettext("智能制造认定名单"), [str(h) for h in PUBLIC_HEADERS], rows
        )
        return xlsx_response(content, gettext("智能制造认定名单.xlsx"), "titles.xlsx")
    page, query = page_of(request, titles)
    return render(
        request,
        "cultivation/public_titles.html",
        {"filter": filterset, "page": page, "query": query},
    )
