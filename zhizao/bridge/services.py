"""bridge services for the library entries: creating and editing them, and their review
(draft → pending → published, unpublished with a reason, or returned to draft).

Providers and experts maintain their own entries; the city admin approves an entry before it is
public and may unpublish it. Each function that changes an entry owns its transaction, writes its
history entry (why, and who), keeps the search index in step and notifies whom the work now waits
for; the API, pages, import and commands only parse input and call these. Who may act is decided
here. Values are the model's own (relations as objects, lists as lists); `normalise_values` and
`check_values` say, in Chinese, what is wrong with them."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zhizao.bridge.entry_values import (
    MANY_TO_MANY,
    BridgeError,
    BridgeForbidden,
    changed_fields,
    check_values,
    normalise_values,
    one_line,
    subdomain_names,
)
from zhizao.bridge.libraries import LibrarySpec, spec_for
from zhizao.bridge.models import EntryStatus, Library, LibraryEntry, Provider
from zhizao.bridge.search.indexing import index_entry
from zhizao.core.notifications import notify
from zhizao.core.roles import Role, is_city_admin
from zhizao.core.services import mark_change

__all__ = [
    "BridgeError",
    "BridgeForbidden",
    "approve_entry",
    "check_values",
    "create_entry",
    "next_actions",
    "normalise_values",
    "return_entry",
    "subdomain_names",
    "submit_entry",
    "unpublish_entry",
    "update_entry",
]


# --- who may act -----------------------------------------------------------------------------


def actor_or_none(user):
    return user if getattr(user, "is_authenticated", False) else None


def may_maintain(entry: LibraryEntry, user) -> bool:
    """The city admin, and the entry's maintainers."""
    if is_city_admin(user):
        return True
    if actor_or_none(user) is None or entry.pk is None:
        return False
    # Through all(), so that a list whose maintainers are prefetched asks nothing more.
    return any(person.pk == user.pk for person in entry.maintainers.all())


def creation_problem(library, user) -> str | None:
    """Why `user` may not create an entry of `library`, or None when it may."""
    spec = spec_for(library)
    if actor_or_none(user) is None:
        return _("请先登录。")
    if is_city_admin(user):
        return None
    role = getattr(user, "role", None)
    if role not in spec.creators:
        return _("%(value)s不能新建%(label)s条目。") % {
            "value": Role(role).label if role in Role.values else "该用户",
            "label": spec.label,
        }
    if spec.library == Library.PROVIDER:
        own = spec.model.objects.filter(maintainers=user).first()
        if own is not None:
            return _("您已维护服务商「%(name)s」，不能再新建服务商。") % {"name": own.name}
    if spec.library == Library.EXPERT:
        own = spec.model.objects.filter(Q(user=user) | Q(maintainers=user)).first()
        if own is not None:
            return _("您已有专家信息「%(name)s」，请修改原有条目。") % {"name": own.name}
    return None


def city_admins():
    return get_user_model().objects.filter(
        Q(role=Role.CITY_ADMIN) | Q(is_superuser=True), is_active=True
    )


def entry_url(entry: LibraryEntry) -> str:
    """The entry's page, once the pages exist (bridge:entry library pk)."""
    try:
        return reverse("bridge:entry", args=[spec_for(entry).library, entry.pk])
    except NoReverseMatch:
        return ""


# --- writing ---------------------------------------------------------------------------------


def store_entry(
    entry: LibraryEntry, values: dict, user, reason: str, status: str | None = None
) -> str:
    """Write checked values (and a new status) with one history entry, then index the entry.
    Returns "created", "updated" or "unchanged"; an unchanged entry is not saved. The caller
    owns the transaction and has checked the values."""
    created = entry.pk is None
    changed = changed_fields(entry, values)
    moves = status is not None and status != entry.status
    if not (created or changed or moves):
        return "unchanged"
    for name in changed:
        if name not in MANY_TO_MANY:
            setattr(entry, name, values[name])
    if moves:
        if status == EntryStatus.PUBLISHED:
            entry.published_at = timezone.now()
            entry.unpublish_reason = ""
        entry.status = status
    _save(entry, user, reason)
    for name in MANY_TO_MANY:
        if name in values and (created or name in changed):
            getattr(entry, name).set(values[name])
    index(entry, changed)
    return "created" if created else "updated"


def _save(entry: LibraryEntry, user, reason: str) -> None:
    mark_change(entry, reason[:100])
    entry._history_user = actor_or_none(user)
    entry.save()


def index(entry: LibraryEntry, changed=()) -> None:
    """Keep the search index in step with the entry (in the same transaction). A provider's
    solutions and cases show its name and take its rating, so they follow a change of either."""
    index_entry(entry)
    if isinstance(entry, Provider) and {"name", "rating"} & set(changed):
        for related in (*entry.solutions.all(), *entry.cases.all()):
            index_entry(related)


def _checked(spec: LibrarySpec, values: dict, entry: LibraryEntry | None = None) -> dict:
    values = normalise_values(spec, values)
    problems = check_values(spec, values, entry)
    if problems:
        raise BridgeError("".join(dict.fromkeys(message for _, message in problems)))
    return values


def _locked(entry: LibraryEntry) -> LibraryEntry:
    return type(entry).objects.select_for_update().get(pk=entry.pk)


def _label(entry: LibraryEntry) -> str:
    spec = spec_for(entry)
    return f"{spec.label}「{spec.title_of(entry)}」"


@transaction.atomic
def create_entry(library, user, values: dict, *, publish: bool = False) -> LibraryEntry:
    """A new entry, as a draft its creator maintains (a provider's solutions and cases are also
    maintained by the provider's maintainers, an expert profile by its expert). The city admin
    may create an entry of any library, and publish it at once."""
    spec = spec_for(library)
    problem = creation_problem(spec, user)
    if problem:
        raise BridgeForbidden(problem)
    admin = is_city_admin(user)
    if publish and not admin:
        raise BridgeForbidden(_("只有市级管理员可以直接发布条目。"))
    values = dict(values)
    if not admin:
        refuse_admin_only(spec, user, values, None)
        if spec.library == Library.EXPERT:
            values["user"] = user
        if "provider" in spec.columns_by_field and values.get("provider") is None:
            values["provider"] = (
                spec_for(Library.PROVIDER).model.objects.filter(maintainers=user).first()
            )
    values = _checked(spec, values)
    values["maintainers"] = default_maintainers(values, user)
    entry = spec.model()
    status = EntryStatus.PUBLISHED if publish else EntryStatus.DRAFT
    store_entry(entry, values, user, "新建并发布" if publish else "新建", status)
    return entry


def default_maintainers(values: dict, user) -> list:
    """Who maintains a new entry: those named (by the city admin), else its creator unless the
    city admin; and always the expert of a profile and the maintainers of a solution's or
    case's provider."""
    people = list(values.get("maintainers") or [])
    if not people and actor_or_none(user) is not None and not is_city_admin(user):
        people.append(user)
    if values.get("user") is not None:
        people.append(values["user"])
    if values.get("provider") is not None:
        people += list(values["provider"].maintainers.all())
    return list({p.pk: p for p in people}.values())


def refuse_admin_only(spec: LibrarySpec, user, values: dict, entry) -> None:
    if "maintainers" in values:
        raise BridgeForbidden(_("只有市级管理员可以指定维护人。"))
    if spec.library == Library.EXPERT and "user" in values:
        current = getattr(entry, "user_id", None) if entry is not None else user.pk
        chosen = values["user"].pk if values["user"] is not None else None
        if chosen != current:
            raise BridgeForbidden(_("只有市级管理员可以修改专家的平台账号。"))
    provider = values.get("provider")
    if provider is not None and not provider.maintainers.filter(pk=user.pk).exists():
        raise BridgeForbidden(
            _("您不是服务商「%(name)s」的维护人，不能以其名义发布。") % {"name": provider.name}
        )


@transaction.atomic
def update_entry(entry: LibraryEntry, user, values: dict) -> LibraryEntry:
    """Change an entry's fields (those in `values`). A maintainer's change to a published entry
    takes it back to review (待审核) until the city admin approves it again; the city admin's
    changes keep the status."""
    spec = spec_for(entry)
    entry = _locked(entry)
    if not may_maintain(entry, user):
        raise BridgeForbidden(_("您不是该条目的维护人，不能修改。"))
    admin = is_city_admin(user)
    if not admin:
        refuse_admin_only(spec, user, values, entry)
    values = _checked(spec, dict(values), entry)
    if not changed_fields(entry, values):
        return entry
    back_to_review = not admin and entry.status == EntryStatus.PUBLISHED
    status = EntryStatus.PENDING if back_to_review else None
    store_entry(entry, values, user, "修改后重新提交审核" if back_to_review else "修改", status)
    if back_to_review:
        notify(city_admins(), f"{_label(entry)}已修改，等待重新审核。", entry_url(entry))
    return entry


@transaction.atomic
def submit_entry(entry: LibraryEntry, user) -> LibraryEntry:
    """草稿 (or 已下架, once fixed) → 待审核; the city admins are told."""
    entry = _locked(entry)
    if not may_maintain(entry, user):
        raise BridgeForbidden(_("您不是该条目的维护人，不能提交审核。"))
    if entry.status == EntryStatus.PENDING:
        raise BridgeError(_("该条目已提交，正在等待审核。"))
    if entry.status == EntryStatus.PUBLISHED:
        raise BridgeError(_("该条目已发布，无需提交审核。"))
    store_entry(entry, {}, user, "提交审核", EntryStatus.PENDING)
    notify(city_admins(), f"{_label(entry)}已提交，等待审核。", entry_url(entry))
    return entry


def _maintainers_of(entry: LibraryEntry):
    return entry.maintainers.filter(is_active=True)


@transaction.atomic
def approve_entry(entry: LibraryEntry, user) -> LibraryEntry:
    """待审核 → 已发布 (city admin): the entry becomes public and is stamped published_at."""
    if not is_city_admin(user):
        raise BridgeForbidden(_("只有市级管理员可以审核发布资源库条目。"))
    entry = _locked(entry)
    if entry.status != EntryStatus.PENDING:
        raise BridgeError(
            _("该条目当前为「%(value)s」，只有待审核的条目可以发布。")
            % {"value": entry.get_status_display()}
        )
    store_entry(entry, {}, user, "审核通过并发布", EntryStatus.PUBLISHED)
    notify(_maintainers_of(entry), f"您维护的{_label(entry)}已审核通过并发布。", entry_url(entry))
    return entry


@transaction.atomic
def unpublish_entry(entry: LibraryEntry, user, reason: str) -> LibraryEntry:
    """已发布 → 已下架 (city admin, with a reason the maintainers are told)."""
    if not is_city_admin(user):
        raise BridgeForbidden(_("只有市级管理员可以下架资源库条目。"))
    entry = _locked(entry)
    if entry.status != EntryStatus.PUBLISHED:
        raise BridgeError(
            _("该条目当前为「%(value)s」，只有已发布的条目可以下架。")
            % {"value": entry.get_status_display()}
        )
    reason = one_line(reason)
    if not reason:
        raise BridgeError(_("下架必须填写原因。"))
    entry.unpublish_reason = reason[:300]
    store_entry(entry, {}, user, f"下架：{reason}", EntryStatus.UNPUBLISHED)
    notify(_maintainers_of(entry), f"您维护的{_label(entry)}已被下架：{reason}", entry_url(entry))
    return entry


@transaction.atomic
def return_entry(entry: LibraryEntry, user, reason: str) -> LibraryEntry:
    """待审核 → 草稿 (city admin, with a reason): the maintainers fix it and submit again."""
    if not is_city_admin(user):
        raise BridgeForbidden(_("只有市级管理员可以退回资源库条目。"))
    entry = _locked(entry)
    if entry.status != EntryStatus.PENDING:
        raise BridgeError(
            _("该条目当前为「%(value)s」，只有待审核的条目可以退回。")
            % {"value": entry.get_status_display()}
        )
    reason = one_line(reason)
    if not reason:
        raise BridgeError(_("退回必须填写原因。"))
    store_entry(entry, {}, user, f"退回修改：{reason}", EntryStatus.DRAFT)
    notify(_maintainers_of(entry), f"您维护的{_label(entry)}被退回修改：{reason}", entry_url(entry))
    return entry


def next_actions(entry: LibraryEntry, user) -> list[str]:
    """What `user` may do with the entry now: edit, submit, approve, return, unpublish."""
    actions = []
    if may_maintain(entry, user):
        actions.append("edit")
        if entry.status in (EntryStatus.DRAFT, EntryStatus.UNPUBLISHED):
            actions.append("submit")
    if is_city_admin(user):
        if entry.status == EntryStatus.PENDING:
            actions += ["approve", "return"]
        if entry.status == EntryStatus.PUBLISHED:
            actions.append("unpublish")
    return actions
