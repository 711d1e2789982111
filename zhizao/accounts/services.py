"""accounts services: creating the demo accounts that `make run` prints."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from zhizao.accounts.models import User
from zhizao.core.models import Region
from zhizao.core.roles import Role


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    full_name: str
    region_name: str | None = None


# One per role (a district officer of 越城区 and one of 柯桥区, so that scoping can be seen).
DEMO_ACCOUNTS = (
    DemoAccount("admin", "zhizao-admin", Role.CITY_ADMIN, "市经信局 管理员"),
    DemoAccount("yuecheng", "zhizao-demo", Role.DISTRICT, "越城区经信局 用户", "越城区"),
    DemoAccount("keqiao", "zhizao-demo", Role.DISTRICT, "柯桥区经信局 用户", "柯桥区"),
    DemoAccount("enterprise", "zhizao-demo", Role.ENTERPRISE, "示例企业 用户", "越城区"),
    DemoAccount("provider", "zhizao-demo", Role.PROVIDER, "示例服务商 用户"),
    DemoAccount("expert", "zhizao-demo", Role.EXPERT, "示例专家"),
)


class DemoAccountError(Exception):
    pass


@transaction.atomic
def create_demo_accounts() -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that do not exist yet; existing ones (and their passwords) are
    left alone, so a second `make run` keeps whatever the user changed."""
    regions = {r.name: r for r in Region.objects.all()}
    results = []
    for account in DEMO_ACCOUNTS:
        region = None
        if account.region_name:
            region = regions.get(account.region_name)
            if region is None:
                raise DemoAccountError(
                    _("找不到区县「%(region_name)s」：请先加载方案（zhizao plan load default）。")
                    % {"region_name": account.region_name}
                )
        if User.objects.filter(username=account.username).exists():
            results.append((account, False))
            continue
        user = User(
            username=account.username,
            full_name=account.full_name,
            role=account.role,
            region=region,
        )
        user.set_password(account.password)
        user._change_reason = "创建演示账号"
        user.save()
        results.append((account, True))
    return results
