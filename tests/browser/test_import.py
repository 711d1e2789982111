"""A district officer downloads the template, uploads it filled in, checks the preview and
confirms, watching each step's progress page, in Chromium."""

import pytest

from tests.accounts.factories import PASSWORD, make_district_officer
from tests.plans.factories import load_default_plan
from tests.reports.test_import_pages import template_with
from zhizao.enterprises.models import ReportStatus, YearlyReport

pytestmark = pytest.mark.browser


@pytest.fixture
def officer(transactional_db, settings):
    # No worker process runs beside the test server: tasks run as they are queued.
    settings.ZHIZAO_TASKS_INLINE = True
    load_default_plan()
    return make_district_officer("越城区", username="officer")


def test_officer_imports_a_filled_in_template(page, live_server, officer, tmp_path):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("officer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#main-nav").get_by_role("link", name="企业库").click()
    page.get_by_test_id("open-import").click()
    with page.expect_download() as download:
        page.get_by_test_id("download-template").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    filled = tmp_path / "越城区2025年数据.xlsx"
    filled.write_bytes(template_with(name="越城样例纺织有限公司"))
    page.get_by_label("文件（.xlsx、.xls 或 .csv，最大 50 MB）").set_input_files(str(filled))
    page.get_by_role("button", name="上传并检查").click()
    assert page.get_by_test_id("task-progress").get_attribute("data-status") == "done"
    page.get_by_role("link", name="查看结果").click()
    assert "1" in page.get_by_test_id("import-counts").inner_text()
    page.get_by_test_id("confirm-import").click()
    assert "新建 1 条" in page.get_by_test_id("task-result").inner_text()

    report = YearlyReport.objects.get()
    assert report.enterprise.name == "越城样例纺织有限公司"
    assert report.status == ReportStatus.DISTRICT_APPROVED
