import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhizao.monitoring.reported import TEMPLATE_HEADER, import_values
from zhizao.plans.models import Plan


class Command(BaseCommand):
    help = "上报值：从表格导入区县或市级上报的指标数值（import）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        load = actions.add_parser(
            "import",
            help=f"导入上报值（.xlsx、.xls、.csv，表头 {TEMPLATE_HEADER}）："
            "先检查整个文件，没有错误才在一个事务中全部写入。",
        )
        load.add_argument("file", help="要导入的文件。")
        load.add_argument("--plan", default=settings.ZHIZAO_DEFAULT_PLAN, help="方案代码。")
        load.add_argument(
            "--approve",
            action="store_true",
            help="以市级身份直接审核通过（用于导入权威数据）；默认提交待市级审核。",
        )
        load.add_argument(
            "--user",
            metavar="USERNAME",
            help="以该用户的身份导入（区县用户只能导入本区县）；默认以市级身份导入。",
        )

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_import(
        self,
        file: str,
        plan: str,
        approve: bool = False,
        user: str | None = None,
        **options,
    ):
        found = Plan.objects.select_related("region").filter(code=plan).first()
        if found is None:
            raise CommandError(f"找不到代码为「{plan}」的方案。")
        actor = None
        if user:
            actor = get_user_model().objects.select_related("region").filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户「{user}」。")
        preview = import_values(Path(file), found, actor, approve=approve)
        self.stdout.write(json.dumps(preview.summary(), ensure_ascii=False, indent=2))
        if preview.errors:
            self.stdout.flush()
            raise SystemExit(1)
