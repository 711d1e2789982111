import time

from django.core.management.base import BaseCommand, CommandError

from zhizao.monitoring.engine import recompute
from zhizao.monitoring.formulas import FormulaError
from zhizao.plans.models import Plan


class Command(BaseCommand):
    help = "按方案文件中各指标的数据来源，重算全部指标实际值（市级和各区县）。"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="方案代码；默认全部方案。")
        parser.add_argument("--year", type=int, help="只重算这一年。")

    def handle(self, *args, plan: str | None, year: int | None, **options):
        plans = Plan.objects.filter(code=plan) if plan else Plan.objects.all()
        if plan and not plans.exists():
            raise CommandError(f"找不到代码为「{plan}」的方案。")
        for item in plans:
            started = time.perf_counter()
            try:
                written = recompute(item, years=[year] if year else None)
            except FormulaError as exc:
                raise CommandError(str(exc)) from None
            seconds = time.perf_counter() - started
            self.stdout.write(f"「{item.name}」：写入 {written} 个指标值，用时 {seconds:.2f} 秒。")
