"""`zhizao publish`: publish years' figures (and their titles) as the city admin would from the
overview page, through the same service; `make run` uses it so the demo's public pages have data."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhizao.accounts.models import User
from zhizao.monitoring.models import PublishedYear
from zhizao.monitoring.services import PublishingError, PublishingForbidden, publish_year
from zhizao.plans.models import Plan


def parse_years(text: str) -> list[int]:
    """ "2023" or "2021-2023" (full-width digits and dashes accepted)."""
    normalized = text.strip().translate(str.maketrans("０１２３４５６７８９－—", "0123456789--"))
    first, _, last = normalized.partition("-")
    try:
        start, stop = int(first), int(last or first)
    except ValueError:
        raise CommandError(f"年份「{text}」无法识别：请写成 2023 或 2021-2023。") from None
    if stop < start:
        raise CommandError(f"年份「{text}」的起止颠倒了。")
    return list(range(start, stop + 1))


class Command(BaseCommand):
    help = "以市级管理员身份发布年度数据（可同时公开当年认定名单），与指标总览页的发布相同。"

    def add_arguments(self, parser):
        parser.add_argument("years", help="年份，如 2023 或 2021-2023。")
        parser.add_argument("--plan", help="方案代码；默认为 DEFAULT_PLAN。")
        parser.add_argument("--user", default="admin", help="以哪位市级管理员的名义发布。")
        parser.add_argument("--with-titles", action="store_true", help="同时公开当年认定的称号。")
        parser.add_argument(
            "--keep-existing", action="store_true", help="已发布的年份保持不变，不重新发布。"
        )

    def handle(self, *args, years, plan, user, with_titles, keep_existing, **options):
        code = plan or settings.ZHIZAO_DEFAULT_PLAN
        found = Plan.objects.filter(code=code).first()
        if found is None:
            raise CommandError(f"找不到代码为「{code}」的方案。")
        publisher = User.objects.filter(username=user).first()
        if publisher is None:
            raise CommandError(f"找不到用户「{user}」。")
        published = set(
            PublishedYear.objects.public().filter(plan=found).values_list("year", flat=True)
        )
        for year in parse_years(years):
            if keep_existing and year in published:
                self.stdout.write(f"{year}年已发布，保持不变。")
                continue
            try:
                publish_year(found, year, publisher, companions=["titles"] if with_titles else [])
            except (PublishingError, PublishingForbidden) as exc:
                raise CommandError(f"{year}年：{exc}") from None
            self.stdout.write(f"{year}年数据已发布。")
