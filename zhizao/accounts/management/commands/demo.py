from django.core.management.base import BaseCommand, CommandError

from zhizao.accounts.services import DEMO_ACCOUNTS, DemoAccountError, create_demo_accounts


class Command(BaseCommand):
    help = "创建每个角色的演示账号（已存在的账号保持不变），并打印登录信息。"

    def handle(self, *args, **options):
        try:
            results = create_demo_accounts()
        except DemoAccountError as exc:
            raise CommandError(str(exc)) from exc
        created = sum(1 for _, was_created in results if was_created)
        self.stdout.write(f"演示账号：新建 {created} 个，已有 {len(results) - created} 个。")
        for account in DEMO_ACCOUNTS:
            where = f"（{account.region_name}）" if account.region_name else ""
            self.stdout.write(
                f"  {account.role.label}{where}: {account.username} / {account.password}"
            )
