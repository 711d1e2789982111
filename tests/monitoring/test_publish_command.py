"""`zhizao publish`: the city admin's publishing from the command line, through the service."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.monitoring.test_publishing import figures_2024  # noqa: F401 (a fixture)
from zhizao.monitoring.models import PublishedYear


def publish(*args: str) -> str:
    out = io.StringIO()
    call_command("publish", *args, stdout=out)
    return out.getvalue()


def test_the_command_publishes_the_year_as_the_city_admin(figures_2024, city_admin):  # noqa: F811
    # when the city admin's year is published from the command line
    output = publish("２０２４", "--user", city_admin.username)
    # then the year is on the public record with the service's snapshot
    published = PublishedYear.objects.public().get(year=2024)
    assert output == "2024年数据已发布。\n"
    assert published.snapshot["regions"][0]["rows"][6]["actual"] == 500


def test_keep_existing_leaves_a_published_year_alone(figures_2024, city_admin):  # noqa: F811
    publish("2024", "--user", city_admin.username)
    first = PublishedYear.objects.get(year=2024).published_at
    output = publish("2024", "--user", city_admin.username, "--keep-existing")
    assert output == "2024年已发布，保持不变。\n"
    assert PublishedYear.objects.get(year=2024).published_at == first


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("2023-2021", "年份「2023-2021」的起止颠倒了。"),
        ("去年", "年份「去年」无法识别：请写成 2023 或 2021-2023。"),
        ("2021", "2021年：2021年全市还没有任何指标数据，不能发布。"),
    ],
)
def test_bad_years_are_refused_with_the_reason(figures_2024, city_admin, years, message):  # noqa: F811
    with pytest.raises(CommandError) as refused:
        publish(years, "--user", city_admin.username)
    assert str(refused.value) == message
    assert not PublishedYear.objects.exists()


def test_only_a_city_admin_may_publish(figures_2024, yuecheng_officer):  # noqa: F811
    with pytest.raises(CommandError) as refused:
        publish("2024", "--user", yuecheng_officer.username)
    assert str(refused.value) == "2024年：只有市级管理员可以发布年度数据。"
