import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhizao.core.models import Region
from zhizao.core.xlsx import display_width
from zhizao.cultivation.ladder import RegionLadder, ladder
from zhizao.cultivation.typefile import (
    DEFAULT_TITLE_TYPE_FILE,
    TitleTypeFileError,
    load_title_types,
    read_title_types,
)
from zhizao.plans.models import Plan


class Command(BaseCommand):
    help = "梯度培育：称号类型文件（types load / types check）与培育梯队（ladder）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{types,ladder}")
        types = actions.add_parser("types", help="称号类型文件：载入（load）或检查（check）。")
        type_actions = types.add_subparsers(
            dest="types_action", required=True, metavar="{load,check}"
        )
        load = type_actions.add_parser(
            "load", help="载入称号类型文件：新建或更新称号类型（文件中没有的类型保留）。"
        )
        load.add_argument(
            "file",
            nargs="?",
            default=str(DEFAULT_TITLE_TYPE_FILE),
            help="YAML 文件；默认内置文件。",
        )
        check = type_actions.add_parser("check", help="只检查称号类型文件，不写入任何数据。")
        check.add_argument(
            "file",
            nargs="?",
            default=str(DEFAULT_TITLE_TYPE_FILE),
            help="YAML 文件；默认内置文件。",
        )
        steps = actions.add_parser(
            "ladder",
            help="打印全市和各区县每类称号的逐年认定数、累计数、附件目标（保底、争取）和完成率。",
        )
        steps.add_argument("--plan", default=settings.ZHIZAO_DEFAULT_PLAN, help="方案代码。")
        steps.add_argument("--year", type=int, help="截至年份；默认今年（不晚于方案终止年份）。")
        steps.add_argument("--region", help="地区名称，例如 柯桥区；默认全市和各区县。")
        steps.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args, action: str, **options):
        if action == "types":
            getattr(self, f"handle_types_{options['types_action']}")(**options)
        else:
            self.handle_ladder(**options)

    # --- title types ----------------------------------------------------------------------

    def _read(self, file: str):
        try:
            return read_title_types(Path(file))
        except TitleTypeFileError as exc:
            lines = "\n".join(f"  - {e}" for e in exc.errors)
            raise CommandError(
                f"称号类型文件未通过检查（共 {len(exc.errors)} 处），未写入任何数据：\n{lines}"
            ) from None

    def handle_types_load(self, file: str, **options):
        counts = load_title_types(self._read(file))
        self.stdout.write(
            f"称号类型已载入：新建 {counts['created']} 个，更新 {counts['updated']} 个，"
            f"未变 {counts['unchanged']} 个。"
        )

    def handle_types_check(self, file: str, **options):
        specs = self._read(file)
        names = "、".join(spec.name for spec in specs)
        self.stdout.write(f"称号类型文件检查通过：共 {len(specs)} 个称号类型（{names}）。")

    # --- the ladder -----------------------------------------------------------------------

    def handle_ladder(
        self, plan: str, year: int | None, region: str | None, format: str, **options
    ):
        found = Plan.objects.select_related("region").filter(code=plan).first()
        if found is None:
            raise CommandError(f"找不到代码为「{plan}」的方案。")
        # This year, or the plan's last once the plan period is over.
        year = year if year is not None else min(timezone.localdate().year, found.last_year)
        regions = None
        if region:
            place = Region.objects.filter(name=region.strip()).first()
            if place is None:
                raise CommandError(f"找不到地区「{region}」。")
            regions = [place]
        result = ladder(found, year, regions)
        if format == "json":
            self.stdout.write(
                json.dumps([r.as_json() for r in result], ensure_ascii=False, indent=2)
            )
            return
        self.stdout.write(f"{found.name} · 培育梯队 · 截至{year}年")
        for region_ladder in result:
            self.stdout.write("")
            self.stdout.write("\n".join(ladder_table(region_ladder, found.base_year, year)))


def ladder_table(region_ladder: RegionLadder, base_year: int, year: int) -> list[str]:
    """One region's ladder as lines of text, columns aligned for Chinese characters."""
    years = list(range(base_year + 1, year + 1))
    header = [
        "称号类型", f"{base_year}年及以前", *(f"{y}年" for y in years), "摘牌", "累计",
        "规划期新增", "保底目标", "争取目标", "保底完成率", "争取完成率",
    ]  # fmt: skip
    rows = []
    for row in region_ladder.rows:
        before = sum(n for y, n in row.by_year.items() if y <= base_year)
        rows.append(
            [
                row.title_type.name,
                str(before),
                *(str(row.by_year.get(y, 0)) for y in years),
                str(sum(row.revoked_by_year.values())),
                str(row.in_force),
                str(row.plan_additions),
                _number(row.floor),
                _number(row.stretch),
                _ratio(row.completion),
                _ratio(row.stretch_completion),
            ]
        )
    widths = [max(display_width(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = [region_ladder.region.name]
    for line in [header, *rows]:
        cells = [_pad(line[0], widths[0])]
        cells += [_pad_left(cell, width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _pad_left(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:f}".rstrip("0").rstrip(".") if "." in f"{value:f}" else f"{value:f}"


def _ratio(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"
