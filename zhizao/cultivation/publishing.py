"""The titles go public with the year's figures: publishing a year on the monitoring pages
offers to publish that year's recognised titles too (monitoring.companions)."""

from django.utils.translation import gettext_noop

from zhizao.cultivation.services import publish_titles
from zhizao.monitoring.companions import register_companion


@register_companion(
    "titles",
    label=gettext_noop("同时公开{year}年认定的称号名单（认定名单页）"),
    done=gettext_noop("同时公开{year}年认定名单 {count} 项"),
)
def publish_year_titles(user, year: int) -> int:
    return publish_titles(user, year=year)
