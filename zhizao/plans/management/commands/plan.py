import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhizao.plans.models import Plan
from zhizao.plans.planfile import DEFAULT_PLAN_FILE, PlanFileError, read_plan_file
from zhizao.plans.services import export_plan_json, load_plan, plan_tables_workbook


def _plan_path(value: str) -> Path:
    return DEFAULT_PLAN_FILE if value == "default" else Path(value)


class Command(BaseCommand):
    help = "行动方案文件：加载（load）、检查（check）、导出（export）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,check,export}")
        load = actions.add_parser("load", help="加载方案文件：新建方案，或原地更新同代码的方案。")
        load.add_argument("file", help="方案文件（YAML）路径，或 default 表示内置的绍兴方案。")
        load.add_argument(
            "--keep-existing",
            action="store_true",
            help="同代码的方案已存在时不做任何修改（make run 用它保留在线修改过的方案）。",
        )
        check = actions.add_parser("check", help="只检查方案文件，不写入任何数据。")
        check.add_argument("file", help="方案文件（YAML）路径，或 default。")
        export = actions.add_parser("export", help="导出已加载的方案（JSON 或 XLSX）。")
        export.add_argument("code", help="方案代码，例如 shaoxing-2021-2025。")
        export.add_argument("--format", choices=["json", "xlsx"], default="json")
        export.add_argument("-o", "--output", help="输出文件；JSON 默认打印到标准输出。")

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def _read(self, file: str):
        try:
            return read_plan_file(_plan_path(file))
        except PlanFileError as exc:
            lines = "\n".join(f"  - {e}" for e in exc.errors)
            raise CommandError(
                f"方案文件未通过检查（共 {len(exc.errors)} 处），未写入任何数据：\n{lines}"
            ) from None

    def handle_load(self, file: str, keep_existing: bool = False, **options):
        spec = self._read(file)
        if keep_existing and (plan := Plan.objects.filter(code=spec.code).first()):
            self.stdout.write(f"方案「{plan.name}」（{plan.code}）已存在，保持不变。")
            return
        report = load_plan(spec)
        self.stdout.write(report.summary())

    def handle_check(self, file: str, **options):
        spec = self._read(file)
        self.stdout.write(
            f"方案文件检查通过：「{spec.name}」（{spec.code}），{len(spec.indicators)} 项指标，"
            f"{len(spec.region_targets)} 项区县目标。"
        )

    def handle_export(self, code: str, format: str, output: str | None, **options):
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            known = "、".join(Plan.objects.values_list("code", flat=True)) or "无"
            raise CommandError(f"找不到代码为「{code}」的方案（已加载：{known}）。")
        if format == "json":
            text = json.dumps(export_plan_json(plan), ensure_ascii=False, indent=2) + "\n"
            if output:
                Path(output).write_text(text, encoding="utf-8")
                self.stdout.write(f"已导出到 {output}")
            else:
                sys.stdout.write(text)
            return
        if not output:
            raise CommandError("导出 XLSX 需要用 -o 指定输出文件。")
        Path(output).write_bytes(plan_tables_workbook(plan, user=None))
        self.stdout.write(f"已导出到 {output}")
