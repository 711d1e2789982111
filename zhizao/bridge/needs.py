"""bridge services for needs and their matches (供需对接): an enterprise posts a need (or turns
the gaps of its self-assessment into needs), the matcher recommends entries, and a match moves
recommended → contacted → negotiating → signed → delivered, or is closed with a reason.

Each function that changes a record owns its transaction, checks who may act, writes the
history entry (why, and who), the match's step record and the notifications that go with it;
pages, API and commands only parse input and call these. Messages are Chinese and name what is
wrong. The ranking itself is `zhizao.bridge.matching`."""

import datetime
import unicodedata
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Count, F, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhizao.bridge.matching import MatchResult, rank
from zhizao.bridge.models import (
    Library,
    Match,
    MatchStatus,
    MatchStep,
    Need,
    NeedStatus,
)
from zhizao.bridge.services import BridgeError, BridgeForbidden, actor_or_none
from zhizao.core.models import IndustryCluster
from zhizao.core.notifications import notify
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.scoping import scope_queryset
from zhizao.core.services import mark_change
from zhizao.core.tasks import enqueue
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.enterprises.models import Enterprise

# The way forward of a match; closing is possible from any step before delivery.
MATCH_FLOW = (
    MatchStatus.RECOMMENDED,
    MatchStatus.CONTACTED,
    MatchStatus.NEGOTIATING,
    MatchStatus.SIGNED,
    MatchStatus.DELIVERED,
)
DEFAULT_MATCH_LIMIT = 10
MATCH_NEED_TASK = "bridge.match_need"  # registered in bridge/tasks.py


def _label(status) -> str:
    return MatchStatus(status).label


def need_url(need: Need) -> str:
    """The need's page, once the pages exist (bridge:need pk)."""
    try:
        return reverse("bridge:need", args=[need.pk])
    except NoReverseMatch:
        return ""


def _record(obj, user, reason: str) -> None:
    mark_change(obj, reason[:100])
    obj._history_user = actor_or_none(user)


# --- who may act and see ---------------------------------------------------------------------


def is_member(user, enterprise: Enterprise) -> bool:
    return (
        getattr(user, "role", None) == Role.ENTERPRISE
        and enterprise.members.filter(pk=user.pk).exists()
    )


def may_post(user, enterprise: Enterprise) -> bool:
    """An enterprise posts its own needs; the city admin may post on its behalf."""
    return is_city_admin(user) or is_member(user, enterprise)


def is_responder(user, match: Match) -> bool:
    if actor_or_none(user) is None:
        return False
    return match.responders.filter(pk=user.pk).exists()


def may_advance(user, match: Match) -> bool:
    """The match's responders (the provider's or expert's users) and the need's enterprise."""
    return is_responder(user, match) or is_member(user, match.need.enterprise)


def visible_needs(user):
    """The needs `user` may see: the city all, a district its own, an enterprise its own, a
    provider or expert those matched to it (Need.scope)."""
    return scope_queryset(user, Need.objects.all()).distinct()


def visible_matches(user, need: Need | None = None):
    """The matches `user` may see (of one need): a provider or expert only its own."""
    matches = scope_queryset(user, Match.objects.all()).distinct()
    return matches.filter(need=need) if need is not None else matches


# The needs matched to a provider or an expert (匹配给我的需求), by where their matches stand.
MATCHED_GROUPS = {
    "waiting": (MatchStatus.RECOMMENDED,),
    "active": (MatchStatus.CONTACTED, MatchStatus.NEGOTIATING),
    "signed": (MatchStatus.SIGNED, MatchStatus.DELIVERED),
    "closed": (MatchStatus.CLOSED,),
}


def matched_need_counts(user) -> dict[str, int]:
    """How many needs have a match of `user` in each group (MATCHED_GROUPS): a need matched
    through a solution, a case and the provider itself counts once. One query."""
    mine = Match.objects.filter(pk__in=visible_matches(user).values("pk"))
    return mine.aggregate(
        **{
            group: Count("need", distinct=True, filter=Q(status__in=statuses))
            for group, statuses in MATCHED_GROUPS.items()
        }
    )


def matched_needs(user, group: str):
    """The needs with a match of `user` in `group`, newest first, each with `my_matches`: those
    matches, in the matcher's order (two queries once evaluated: the needs, their matches)."""
    mine = visible_matches(user).filter(status__in=MATCHED_GROUPS[group])
    ordered = Match.objects.filter(pk__in=mine.values("pk")).order_by(
        F("rank").asc(nulls_last=True), "-score", "pk"
    )
    return (
        visible_needs(user)
        .filter(pk__in=mine.values("need_id"))
        .select_related("enterprise", "region", "cluster")
        .prefetch_related(Prefetch("matches", queryset=ordered, to_attr="my_matches"))
        .order_by("-created_at", "-pk")
    )


# --- posting needs ---------------------------------------------------------------------------


def _text(value) -> str:
    return " ".join(str(value or "").split()) if value is not None else ""


def _money(value, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, Decimal | int | float):
        amount = Decimal(str(value))
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise BridgeError(
                _("%(label)s「%(value)s」不是数字。") % {"label": label, "value": value}
            ) from None
    if not amount.is_finite():
        raise BridgeError(_("%(label)s「%(value)s」不是数字。") % {"label": label, "value": value})
    if amount < 0:
        raise BridgeError(
            _("%(label)s不能为负数（%(value)s 万元）。") % {"label": label, "value": value}
        )
    return amount.quantize(Decimal("0.01"))


def _cluster(value, enterprise: Enterprise):
    if value in (None, ""):
        return enterprise.cluster
    if isinstance(value, IndustryCluster):
        return value
    found = IndustryCluster.objects.filter(Q(code=value) | Q(name=value)).first()
    if found is None:
        raise BridgeError(_("产业集群「%(value)s」不存在。") % {"value": value})
    return found


def _subdomains(values) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = values.replace("，", ",").replace("、", ",").split(",")
    known = load_questionnaire().subdomains
    by_name = {s.name: code for code, s in known.items()}
    codes, unknown = [], []
    for raw in values:
        item = str(raw).strip()
        if not item:
            continue
        code = item.upper() if item.upper() in known else by_name.get(item)
        if code is None:
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise BridgeError(_("能力子域「%(value)s」不存在。") % {"value": "、".join(unknown)})
    return codes


def _deadline(value, today: datetime.date):
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise BridgeError(
                _("期望完成日期「%(value)s」不是有效日期（如 2025-06-30）。") % {"value": value}
            ) from None
    if value < today:
        raise BridgeError(
            _("期望完成日期 %(value)s 早于今天。") % {"value": format(value, "%Y-%m-%d")}
        )
    return value


def check_need_values(enterprise: Enterprise, values: dict, today=None) -> dict:
    """The need's fields from what was typed, or BridgeError naming the first problem."""
    title, description = _text(values.get("title")), str(values.get("description") or "").strip()
    if not title:
        raise BridgeError(_("请填写需求标题。"))
    if len(title) > 200:
        raise BridgeError(
            _("需求标题不能超过 200 个字（现有 %(title)s 个）。") % {"title": len(title)}
        )
    if not description:
        raise BridgeError(_("请填写需求描述。"))
    budget_min = _money(values.get("budget_min"), _("预算下限"))
    budget_max = _money(values.get("budget_max"), _("预算上限"))
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        raise BridgeError(
            _("预算下限 %(budget_min)s 万元高于上限 %(budget_max)s 万元。")
            % {"budget_min": budget_min, "budget_max": budget_max}
        )
    return {
        "title": title,
        "description": description,
        "cluster": _cluster(values.get("cluster"), enterprise),
        "subdomains": _subdomains(values.get("subdomains")),
        "budget_min": budget_min,
        "budget_max": budget_max,
        "deadline": _deadline(values.get("deadline"), today or timezone.localdate()),
    }


@transaction.atomic
def post_need(enterprise: Enterprise, user, values: dict, *, today=None) -> Need:
    """An open need of `enterprise` in its district. `values`: title, description, cluster (an
    IndustryCluster, its code or name; the enterprise's by default), subdomains (codes or
    names), budget_min and budget_max (万元), deadline. Match it with `match_need`."""
    if not may_post(user, enterprise):
        raise BridgeForbidden(_("只有该企业的用户或市级管理员可以发布需求。"))
    fields = check_need_values(enterprise, values, today)
    need = Need(
        enterprise=enterprise,
        region=enterprise.region,
        status=NeedStatus.OPEN,
        source_requirement=str(values.get("source_requirement") or "")[:30],
        created_by=actor_or_none(user),
        **fields,
    )
    _record(need, user, "发布需求")
    need.save()
    return need


@transaction.atomic
def needs_from_gaps(assessment, user, requirement_ids) -> list[Need]:
    """One need for each chosen gap of a submitted self-assessment (差距项): titled after the
    requirement, in its sub-domain, marked with the requirement id. A gap that already has an
    open need is refused, naming it."""
    from zhizao.diagnosis.services import scored_report

    enterprise = assessment.enterprise
    if not may_post(user, enterprise):
        raise BridgeForbidden(_("只有该企业的用户或市级管理员可以由诊断差距生成需求。"))
    if not assessment.is_submitted:
        raise BridgeError(_("该自评估尚未提交，不能由差距生成需求。"))
    chosen = list(dict.fromkeys(str(rid).strip() for rid in requirement_ids or [] if rid))
    if not chosen:
        raise BridgeError(_("请至少选择一个差距项。"))
    report = scored_report(assessment)
    gaps = {gap.requirement.id: gap for gap in report.gaps}
    unknown = [rid for rid in chosen if rid not in gaps]
    if unknown:
        raise BridgeError(_("「%(value)s」不是该自评估的差距项。") % {"value": "、".join(unknown)})
    existing = dict(
        Need.objects.filter(
            enterprise=enterprise, source_requirement__in=chosen, status=NeedStatus.OPEN
        ).values_list("source_requirement", "title")
    )
    if existing:
        rid, title = next(iter(existing.items()))
        raise BridgeError(
            _("差距项 %(rid)s 已生成需求「%(title)s」，不能重复生成。")
            % {"rid": rid, "title": title}
        )
    needs = []
    for rid in chosen:
        gap = gaps[rid]
        text = gap.requirement.text.rstrip("。")
        description = _(
            "来自%(year)s年智能制造能力成熟度自评估（%(level_label)s）的差距项 %(rid)s：%(text)s当前自评为「%(answer)s」，希望达到「%(value)s」的要求。"
        ) % {
            "year": assessment.year,
            "level_label": report.level_label,
            "rid": rid,
            "text": gap.requirement.text,
            "answer": gap.answer,
            "value": load_questionnaire().level_label(gap.requirement.level),
        }
        if gap.requirement.evidence:
            description += f"佐证材料：{gap.requirement.evidence}。"
        need = Need(
            enterprise=enterprise,
            region=enterprise.region,
            title=f"{gap.subdomain.name}：{text}"[:200],
            description=description,
            cluster=enterprise.cluster,
            subdomains=[gap.subdomain.code],
            status=NeedStatus.OPEN,
            source_requirement=rid,
            created_by=actor_or_none(user),
        )
        _record(need, user, f"由自评估差距项 {rid} 生成需求")
        need.save()
        needs.append(need)
    return needs


@transaction.atomic
def close_need(need: Need, user, reason: str = "") -> Need:
    """The enterprise (or the city admin) closes its need: the matches not yet signed are
    closed with it, and their responders told; signed matches go on to delivery."""
    need = Need.objects.select_for_update().select_related("enterprise").get(pk=need.pk)
    if not may_post(user, need.enterprise):
        raise BridgeForbidden(_("只有该企业的用户或市级管理员可以关闭需求。"))
    if need.status == NeedStatus.CLOSED:
        raise BridgeError(_("该需求已关闭。"))
    reason = _text(reason)
    need.status = NeedStatus.CLOSED
    _record(need, user, f"关闭需求：{reason}" if reason else "关闭需求")
    need.save()
    open_matches = need.matches.filter(
        status__in=(MatchStatus.RECOMMENDED, MatchStatus.CONTACTED, MatchStatus.NEGOTIATING)
    ).prefetch_related("responders")
    note = f"需求已关闭：{reason}" if reason else "需求已关闭"
    for match in open_matches:
        _move(match, MatchStatus.CLOSED, user, note, close_reason=note)
        notify(
            match.responders.all(),
            f"{need.enterprise.name}已关闭需求「{need.title}」，与「{match.title}」的对接随之关闭。",
            need_url(need),
        )
    return need


# --- matching --------------------------------------------------------------------------------


def responders_of(result: MatchResult) -> list:
    """Who answers for a recommended entry: a solution's or case's provider's maintainers (its
    own maintainers when it has no provider), a provider's maintainers, an expert's user (its
    maintainers when it has none), a financial product's maintainers."""
    entry = result.entry
    if result.library in (Library.SOLUTION, Library.CASE) and entry.provider_id:
        people = entry.provider.maintainers.all()
    elif result.library == Library.EXPERT and entry.user_id:
        people = [entry.user]
    else:
        people = entry.maintainers.all()
    return [person for person in people if person.is_active]


def _may_match(user, need: Need) -> None:
    if user is not None and not may_post(user, need.enterprise):
        raise BridgeForbidden(_("只有该企业的用户或市级管理员可以为需求匹配资源。"))
    if need.status != NeedStatus.OPEN:
        raise BridgeError(
            _("需求「%(title)s」%(status)s，不能匹配。")
            % {"title": need.title, "status": need.get_status_display()}
        )


def matching_in_progress(need: Need) -> bool:
    task = need.matching_task
    return task is not None and not task.finished


@transaction.atomic
def request_matching(need: Need, user=None):
    """Queue the matching of an open need (`match_need`, run by the worker: posting answers at
    once, and the need's page shows the progress). A need whose matching is queued or running
    is not queued again: its task is returned."""
    # Lock the need's row only: PostgreSQL cannot lock the nullable side of the outer join
    # to its task.
    need = (
        Need.objects.select_for_update(of=("self",))
        .select_related("enterprise", "matching_task")
        .get(pk=need.pk)
    )
    _may_match(user, need)
    if matching_in_progress(need):
        return need.matching_task
    task = enqueue(MATCH_NEED_TASK, {"need": need.pk}, user)
    Need.objects.filter(pk=need.pk).update(matching_task=task)
    return task


@transaction.atomic
def match_need(need: Need, limit: int = DEFAULT_MATCH_LIMIT, user=None) -> list[Match]:
    """Rank the libraries for an open need and keep the top `limit` as matches (已推荐) with
    their score and reasons; the responders of each new match are told. Matching again updates
    the score and reasons of matches still recommended and adds the new ones; matches already
    in contact are left as they are. Each match of this ranking gets its place in it (`rank`),
    the others none. Returns the need's matches of this ranking, best first."""
    need = Need.objects.select_for_update().select_related("enterprise", "region").get(pk=need.pk)
    _may_match(user, need)
    results = rank(need, limit=limit)
    existing = {(m.library, m.object_id): m for m in need.matches.all()}
    matches, url = [], need_url(need)
    for result in results:
        match = existing.get((result.library, result.object_id))
        score = Decimal(str(round(result.score, 4)))
        if match is not None:
            if match.status == MatchStatus.RECOMMENDED and (
                match.score != score or match.reasons != list(result.reasons)
            ):
                match.score, match.reasons, match.title = score, list(result.reasons), result.title
                _record(match, user, "重新匹配")
                match.save()
            matches.append(match)
            continue
        match = Match(
            need=need,
            library=result.library,
            object_id=result.object_id,
            title=result.title[:300],
            score=score,
            reasons=list(result.reasons),
        )
        _record(match, user, "推荐匹配")
        match.save()
        responders = responders_of(result)
        match.responders.set(responders)
        MatchStep.objects.create(
            match=match,
            from_status="",
            to_status=MatchStatus.RECOMMENDED,
            actor=actor_or_none(user),
            comment=result.reasons_text,
        )
        notify(
            responders,
            f"{need.enterprise.name}的需求「{need.title}」与您的"
            f"{Library(result.library).label}「{result.title}」匹配（{result.reasons_text}），请查看并响应。",
            url,
        )
        matches.append(match)
    for place, match in enumerate(matches, 1):
        match.rank = place
    Match.objects.bulk_update(matches, ["rank"])
    need.matches.exclude(pk__in=[m.pk for m in matches]).update(rank=None)
    return matches


# --- the match workflow ----------------------------------------------------------------------


def _locked_match(match: Match) -> Match:
    return Match.objects.select_for_update().select_related("need__enterprise").get(pk=match.pk)


def _move(match: Match, to_status, user, comment: str = "", **fields) -> Match:
    from_status = match.status
    match.status = to_status
    for name, value in fields.items():
        setattr(match, name, value)
    reason = f"{_label(from_status)} → {_label(to_status)}"
    _record(match, user, f"{reason}：{comment}" if comment else reason)
    match.save()
    MatchStep.objects.create(
        match=match,
        from_status=from_status,
        to_status=to_status,
        actor=actor_or_none(user),
        comment=comment,
    )
    return match


def _other_side(match: Match, user):
    """Whom a step is told to: the enterprise when a responder acted, else the responders."""
    if is_responder(user, match):
        return match.need.enterprise.members.filter(is_active=True)
    return match.responders.filter(is_active=True)


def _still_open(match: Match) -> None:
    if match.status == MatchStatus.CLOSED:
        raise BridgeError(
            _("该对接已关闭（%(close_reason)s），不能再操作。")
            % {"close_reason": match.close_reason}
        )
    if match.status == MatchStatus.DELIVERED:
        raise BridgeError(_("该对接已交付，不能再操作。"))


@transaction.atomic
def advance_match(match: Match, user, to_status, comment: str = "", contract_value=None) -> Match:
    """One step forward: recommended → contacted → negotiating → signed → delivered. The
    responders or the need's enterprise may take it; signing states the contract value (万元)."""
    match = _locked_match(match)
    if not may_advance(user, match):
        raise BridgeForbidden(_("只有需求企业的用户或该对接的响应方可以推进对接。"))
    _still_open(match)
    if to_status not in MatchStatus.values or to_status == MatchStatus.CLOSED:
        raise BridgeError(_("「%(to_status)s」不是可推进到的对接状态。") % {"to_status": to_status})
    expected = MATCH_FLOW[MATCH_FLOW.index(match.status) + 1]
    if to_status != expected:
        raise BridgeError(
            _("该对接当前为「%(status)s」，下一步只能是「%(expected)s」。")
            % {"status": _label(match.status), "expected": _label(expected)}
        )
    need = match.need
    if need.status == NeedStatus.CLOSED and to_status != MatchStatus.DELIVERED:
        raise BridgeError(_("需求「%(title)s」已关闭，不能再推进对接。") % {"title": need.title})
    fields = {}
    if to_status == MatchStatus.SIGNED:
        value = _money(contract_value, "签约金额")
        if value is None:
            raise BridgeError(_("签约须填写签约金额（万元）。"))
        if value <= 0:
            raise BridgeError(_("签约金额应大于 0 万元。"))
        fields["contract_value"] = value
    comment = str(comment or "").strip()
    _move(match, to_status, user, comment, **fields)
    money = f"，签约金额 {fields['contract_value']} 万元" if fields else ""
    notify(
        _other_side(match, user),
        f"需求「{need.title}」与「{match.title}」的对接已推进到「{_label(to_status)}」{money}。",
        need_url(need),
    )
    return match


@transaction.atomic
def close_match(match: Match, user, reason: str) -> Match:
    """Close a match before delivery, with a reason the other side is told."""
    match = _locked_match(match)
    if not may_advance(user, match):
        raise BridgeForbidden(_("只有需求企业的用户或该对接的响应方可以关闭对接。"))
    _still_open(match)
    reason = _text(reason)
    if not reason:
        raise BridgeError(_("关闭对接必须填写原因。"))
    _move(match, MatchStatus.CLOSED, user, reason, close_reason=reason[:300])
    notify(
        _other_side(match, user),
        f"需求「{match.need.title}」与「{match.title}」的对接已关闭：{reason}",
        need_url(match.need),
    )
    return match


def next_match_actions(match: Match, user) -> list[str]:
    """What `user` may do with the match now: the next status, and "close"."""
    if match.status in (MatchStatus.CLOSED, MatchStatus.DELIVERED) or not may_advance(user, match):
        return []
    if match.need.status == NeedStatus.CLOSED and match.status != MatchStatus.SIGNED:
        return []
    return [str(MATCH_FLOW[MATCH_FLOW.index(match.status) + 1]), "close"]
