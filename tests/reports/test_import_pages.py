"""Uploading a workbook: preview with row errors, confirm writes all, other roles get 404."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from tests.conftest import signed_in
from zhizao.core.models import Task
from zhizao.core.tasks import run_pending_tasks
from zhizao.enterprises.importing import COLUMNS
from zhizao.enterprises.models import Enterprise, ReportStatus, YearlyReport
from zhizao.enterprises.template_xlsx import template_workbook_bytes
from zhizao.enterprises.views_import import SESSION_KEY, _upload_dir

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_with(**cells) -> bytes:
    workbook = load_workbook(io.BytesIO(template_workbook_bytes()))
    ws = workbook["年度数据"]
    keys = [c.key for c in COLUMNS]
    for key, value in cells.items():
        ws.cell(row=2, column=keys.index(key) + 1, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "数据.xlsx"):
    """Upload, then let the background worker check the file, as `zhizao worker` would."""
    response = client.post(
        "/enterprises/import/", {"file": SimpleUploadedFile(name, content, XLSX)}
    )
    run_pending_tasks()
    return response


def test_city_admin_uploads_previews_and_confirms(admin_client_):
    # when the upload is checked in the background
    response = upload(admin_client_, template_with(name="绍兴样例纺织有限公司"))
    task = Task.objects.get(name="enterprises.import_preview")
    assert response["Location"] == f"/tasks/{task.pk}/"
    progress = admin_client_.get(f"/tasks/{task.pk}/progress/")
    assert progress["HX-Redirect"] == "/enterprises/import/preview/"
    preview = admin_client_.get("/enterprises/import/preview/").content.decode()
    # then nothing is written before the confirmation
    assert 'data-testid="confirm-import"' in preview
    assert not Enterprise.objects.exists()
    stored = list(_upload_dir().iterdir())
    assert stored, "the upload waits in the private folder"
    # and the confirmation writes it in the background, city-approved since the city imported it
    confirmed = admin_client_.post("/enterprises/import/confirm/")
    writing = Task.objects.get(name="enterprises.import_apply")
    assert confirmed["Location"] == f"/tasks/{writing.pk}/"
    assert not Enterprise.objects.exists()
    run_pending_tasks()
    page = admin_client_.get(f"/tasks/{writing.pk}/").content.decode()
    assert "已导入「数据.xlsx」：新建 1 条，更新 0 条，未变 0 条。" in page
    assert list(_upload_dir().iterdir()) == []
    report = YearlyReport.objects.get()
    assert report.enterprise.name == "绍兴样例纺织有限公司"
    assert report.status == ReportStatus.CITY_APPROVED
    assert SESSION_KEY not in admin_client_.session


def test_a_file_with_errors_shows_row_column_value_and_reason_and_cannot_be_confirmed(
    admin_client_,
):
    upload(admin_client_, template_with(uscc="91330602MA2BC12340"))
    html = admin_client_.get("/enterprises/import/preview/").content.decode()
    assert 'data-testid="import-errors"' in html
    assert "91330602MA2BC12340" in html and "校验位不正确" in html
    assert 'data-testid="confirm-import"' not in html
    admin_client_.post("/enterprises/import/confirm/")
    assert not Enterprise.objects.exists()


def test_a_corrupt_file_gets_a_clear_message(admin_client_):
    upload(admin_client_, b"PK\x03\x04 this is not really a workbook")
    html = admin_client_.get("/enterprises/import/preview/", follow=True).content.decode()
    assert "文件已损坏或不是 Excel 文件" in html


def test_wrong_file_type_is_refused_at_upload(admin_client_):
    response = admin_client_.post(
        "/enterprises/import/",
        {"file": SimpleUploadedFile("报表.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert "不支持「.pdf」格式，请上传 .xlsx、.xls 或 .csv 文件。" in response.content.decode()


def test_enterprise_users_cannot_import(member):
    client = signed_in(member)
    assert client.get("/enterprises/import/").status_code == 404
    assert client.get("/enterprises/import/template.xlsx").status_code == 404


def test_template_downloads_as_a_workbook(yuecheng_client):
    response = yuecheng_client.get("/enterprises/import/template.xlsx")
    assert response["Content-Type"] == XLSX
    assert "年度数据" in load_workbook(io.BytesIO(response.content)).sheetnames
