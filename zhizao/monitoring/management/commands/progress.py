import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhizao.core.models import Region
from zhizao.core.xlsx import display_width
from zhizao.monitoring.services import beside_text, plan_progress, quarter_label
from zhizao.plans.models import Plan

STATUS_LABELS = {
    "green": "达到序时",
    "amber": "略滞后",
    "red": "滞后",
    "no_data": "无数据",
    "no_target": "无分解目标",
}


class Command(BaseCommand):
    help = "打印某年各指标的实际值、完成率、序时进度和状态（市级或某区县）。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", default=settings.ZHIZAO_DEFAULT_PLAN, help="方案代码。")
        parser.add_argument("--year", type=int, required=True, help="年份，例如 2024。")
        parser.add_argument("--region", help="区县名称；默认全市。")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, plan: str, year: int, region: str | None, format: str, **options):
        found = Plan.objects.select_related("region").filter(code=plan).first()
        if found is None:
            raise CommandError(f"找不到代码为「{plan}」的方案。")
        place = found.region
        if region:
            place = Region.objects.filter(name=region.strip()).first()
            if place is None:
                raise CommandError(f"找不到地区「{region}」。")
        try:
            rows = plan_progress(found, year, place)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{found.name} · {place.name} · {year}年")
        header = ["实际值", "年度目标", "五年进度", "序时进度"]
        self.stdout.write(
            f"序号  {_pad('指标', NAME_WIDTH)}"
            + "".join(" " * (12 - display_width(h)) + h for h in header[:2])
            + "".join(" " * (10 - display_width(h)) + h for h in header[2:])
            + "  状态"
        )
        for row in rows:
            self.stdout.write(
                f"{row['no']:>4}  {_pad(row['name'], NAME_WIDTH)}{_cell(row['actual']):>12}"
                f"{_cell(row['year_target']):>12}{_ratio(row['five_year_progress']):>10}"
                f"{_ratio(row['schedule']):>10}  {STATUS_LABELS.get(row['status'], row['status'])}"
                + _note(row)
            )


NAME_WIDTH = 34


def _pad(text: str, width: int) -> str:
    """Pad to a width in terminal columns, where a Chinese character takes two."""
    return text + " " * max(0, width - display_width(text))


def _cell(value) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _note(row: dict) -> str:
    """What the actual is, where it is not simply the year's computed or reported value."""
    notes = [
        beside_text(row["actual"], row["computed"], row["official"])
        or quarter_label(row["quarter"])
    ]
    # What a district is judged against, where it is not the plan's own figure (goals.py).
    if row.get("target_basis") == "derived":
        notes.append(
            f"折算目标 {_cell(row['five_year_target'])}，自本区县基数 {_cell(row['base'])}"
        )
    elif row.get("reached"):
        notes.append(f"基数 {_cell(row['base'])} 已达目标 {_cell(row['five_year_target'])}")
    elif row.get("kind") == "level" and row.get("target_basis") in ("city", "set"):
        notes.append(f"自本区县基数 {_cell(row['base'])}")
    note = "；".join(n for n in notes if n)
    return f"  （{note}）" if note else ""


def _ratio(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
