import time

from django.core.management.base import BaseCommand

from zhizao.core.tasks import run_pending_tasks


class Command(BaseCommand):
    help = "运行后台任务（导入、重算等）：不断领取排队中的任务并执行；可同时运行多个。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行完当前排队的任务后退出。")
        parser.add_argument("--idle", type=float, default=1.0, help="没有任务时的等待秒数。")

    def handle(self, *args, once: bool, idle: float, **options):
        if once:
            self.stdout.write(f"已执行 {run_pending_tasks()} 个任务。")
            return
        self.stdout.write("后台任务进程已启动（Ctrl+C 停止）。")
        try:
            while True:
                if not run_pending_tasks(limit=10):
                    time.sleep(idle)
        except KeyboardInterrupt:
            self.stdout.write("后台任务进程已停止。")
