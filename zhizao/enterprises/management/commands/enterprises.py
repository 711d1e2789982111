import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhizao.enterprises.importing import import_file
from zhizao.enterprises.template_xlsx import template_workbook_bytes


class Command(BaseCommand):
    help = "企业库：下载导入模板（template）、导入企业年度数据（import）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{template,import}")
        template = actions.add_parser("template", help="写出企业年度数据导入模板（.xlsx）。")
        template.add_argument("file", help="输出文件，例如 企业年度数据导入模板.xlsx。")
        load = actions.add_parser(
            "import",
            help="导入企业及其年度数据（.xlsx、.xls、.csv）：先检查整个文件，"
            "没有错误才在一个事务中全部写入。",
        )
        load.add_argument("file", help="要导入的文件。")
        load.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入任何数据。")
        load.add_argument(
            "--user",
            metavar="USERNAME",
            help="以该用户的身份导入（区县用户只能导入本区县）；默认以市级身份导入。",
        )

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_template(self, file: str, **options):
        path = Path(file)
        try:
            path.write_bytes(template_workbook_bytes())
        except OSError as exc:
            raise CommandError(f"无法写入「{path}」：{exc.strerror}。") from None
        self.stdout.write(f"已写出导入模板：{path}")

    def handle_import(self, file: str, dry_run: bool = False, user: str | None = None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"找不到用户「{user}」。")
        preview = import_file(Path(file), actor, dry_run=dry_run)
        self.stdout.write(json.dumps(preview.summary(), ensure_ascii=False, indent=2))
        if preview.errors:
            self.stdout.flush()
            raise SystemExit(1)
