import argparse
import re

from django.core.management.base import BaseCommand, CommandError

from zhizao.accounts.services import DEMO_ACCOUNTS, DemoAccountError, create_demo_accounts
from zhizao.core.demo_steps import DemoStepError, run_demo_steps
from zhizao.enterprises.demo import (
    DEFAULT_ENTERPRISES,
    DEFAULT_SEED,
    DemoError,
    default_years,
    demo_member_account,
    generate_demo,
)
from zhizao.enterprises.models import Enterprise


def year_range(text: str) -> range:
    """ "2020-2024" (also with — or ～) or a single year "2024"."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-—–~～至]+\s*(\d{4}))?\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"年份范围「{text}」应写成 2020-2024 或 2024。")
    first, last = int(match[1]), int(match[2] or match[1])
    if last < first:
        raise argparse.ArgumentTypeError(f"年份范围「{text}」的结束年份早于起始年份。")
    return range(first, last + 1)


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是整数。") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"「{text}」不能为负数。")
    return value


class Command(BaseCommand):
    help = (
        "创建每个角色的演示账号（已存在的账号保持不变）并打印登录信息；库中还没有企业时，"
        "再生成绍兴市的演示企业及其市级已审核的年度数据（同一随机种子生成同样的数据）；"
        "其他模块的演示数据（如梯度培育的称号与申报）也只在各自为空时生成。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enterprises",
            type=positive,
            default=DEFAULT_ENTERPRISES,
            help=f"演示企业总数（默认 {DEFAULT_ENTERPRISES}；基准测试可到全国规模 500000）。",
        )
        parser.add_argument(
            "--small", type=positive, default=None, help="其中规下企业数（默认为总数的四分之一）。"
        )
        parser.add_argument(
            "--years",
            type=year_range,
            default=None,
            help="生成年度数据的年份，如 2020-2024（默认：方案基数年至最后一年的前一年）。",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"随机种子（默认 {DEFAULT_SEED}）。"
        )

    def handle(self, *args, enterprises, small, years, seed, verbosity=1, **options):
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

        existing = Enterprise.objects.count()
        if existing:
            self.stdout.write(f"演示企业：库中已有 {existing} 家企业，保留现有数据，不再生成。")
            span = years if years is not None else default_years()
        else:
            span = self.generate_enterprises(enterprises, small, years, seed, verbosity)
        # The other apps' demo data (core.demo_steps), each kept when already there.
        try:
            lines = run_demo_steps(
                seed=seed, years=span, stdout=self.stdout if verbosity >= 2 else None
            )
        except DemoStepError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)

    def generate_enterprises(self, enterprises, small, years, seed, verbosity) -> range:
        log = self.stdout.write if verbosity >= 2 else None
        try:
            result = generate_demo(enterprises, small=small, years=years, seed=seed, log=log)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        span = result.years
        years_text = f"{span.start}—{span.stop - 1}" if len(span) > 1 else f"{span.start}"
        self.stdout.write(
            f"演示企业：已生成 {result.enterprises} 家（规上 {result.above_scale} 家），"
            f"{years_text} 年报表 {result.reports} 份，用时 {result.seconds:.1f} 秒。"
        )
        account = demo_member_account()
        self.stdout.write(
            f"  {account.role.label} {account.username} 所属企业：{result.member_enterprise}"
            f"（{account.region_name}）"
        )
        return span
