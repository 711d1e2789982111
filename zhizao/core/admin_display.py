"""JSON fields in the admin as an official reads them: lists and labelled values, not JSON."""

from django.contrib.admin import helpers
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.utils import display_for_field as django_display_for_field
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

# The keys the platform's JSON fields use, named as the pages name them.
KEY_LABELS = {
    "name": _("名称"),
    "max": _("分值"),
    "note": _("说明"),
    "description": _("说明"),
    "before": _("改造前"),
    "after": _("改造后"),
    "unit": _("单位"),
    "score": _("得分"),
    "value": _("数值"),
    "level": _("等级"),
    "reason": _("理由"),
    "reasons": _("理由"),
    "year": _("年度"),
    "type": _("类型"),
    "weight": _("权重"),
    "text": _("内容"),
    "title": _("标题"),
    "message": _("说明"),
    "total": _("合计"),
}


def readable(value):
    """Nested lists and mappings as HTML lists; scalars as text; empty as —."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        if all(not isinstance(item, (list, dict)) for item in value):
            return "、".join(str(readable(item)) for item in value)
        return format_html(
            '<ol class="readable-json">{}</ol>',
            format_html_join("", "<li>{}</li>", ((readable(item),) for item in value)),
        )
    if isinstance(value, dict):
        return format_html(
            '<ul class="readable-json">{}</ul>',
            format_html_join(
                "",
                "<li>{}：{}</li>",
                ((KEY_LABELS.get(str(key), key), readable(item)) for key, item in value.items()),
            ),
        )
    return str(value)


def display_for_field(value, field, empty_value_display, **options):
    if isinstance(field, models.JSONField):
        return readable(value) if value not in (None, "", [], {}) else empty_value_display
    return django_display_for_field(value, field, empty_value_display, **options)


def install() -> None:
    """Read-only fields and change lists render JSON fields through `readable`."""
    helpers.display_for_field = display_for_field
    admin_list.display_for_field = display_for_field
