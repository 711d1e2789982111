"""The notifications page and the bell: each user reads its own notifications; opening one marks
it read and goes to the page it points to."""

from tests.conftest import signed_in
from tests.cultivation.factories import make_application, make_batch
from tests.enterprises.factories import make_enterprise
from zhizao.core.models import Notification
from zhizao.core.notifications import notify


def bell_of(html: str) -> str:
    return html.split('data-testid="notification-bell"')[1].split("</a>")[0]


def test_the_bell_shows_the_unread_count(yuecheng_officer, city_admin):
    notify([yuecheng_officer], "甲企业提交了申报，待区县审核。", "/cultivation/applications/")
    notify([yuecheng_officer], "乙企业提交了申报，待区县审核。", "/cultivation/applications/")
    notify([city_admin], "给市级的通知", "/cultivation/")
    html = signed_in(yuecheng_officer).get("/cultivation/batches/").content.decode()
    assert '<span class="position-absolute' in bell_of(html)
    assert ">2</span>" in bell_of(html)
    # a user with nothing unread sees no badge
    Notification.objects.filter(user=yuecheng_officer).update(read_at="2026-01-01T00:00:00Z")
    html = signed_in(yuecheng_officer).get("/cultivation/batches/").content.decode()
    assert "unread-count" not in bell_of(html)


def test_each_user_lists_only_its_own_notifications(yuecheng_officer, city_admin):
    notify([yuecheng_officer], "给越城的通知", "/cultivation/")
    notify([city_admin], "给市级的通知", "/cultivation/")
    # the city admin, who may see every row elsewhere, still reads only its own inbox
    html = signed_in(city_admin).get("/notifications/").content.decode()
    assert "给市级的通知" in html and "给越城的通知" not in html
    html = signed_in(yuecheng_officer).get("/notifications/").content.decode()
    assert "给越城的通知" in html and "给市级的通知" not in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    enterprise_user, yuecheng_officer, plan
):
    firm = make_enterprise(region="越城区")
    application = make_application(firm, make_batch())
    url = f"/cultivation/applications/{application.pk}/"
    notify([yuecheng_officer], "申报待区县审核", url)
    notification = Notification.objects.get(user=yuecheng_officer)
    client = signed_in(yuecheng_officer)
    response = client.post(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 302 and response["Location"] == url
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert client.get(url).status_code == 200
    # someone else's notification is not there at all
    other = signed_in(enterprise_user).post(f"/notifications/{notification.pk}/open/")
    assert other.status_code == 404


def test_a_notification_never_sends_the_user_off_the_site(yuecheng_officer):
    notify([yuecheng_officer], "可疑链接", "https://evil.example.com/")
    notification = Notification.objects.get()
    response = signed_in(yuecheng_officer).post(f"/notifications/{notification.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_opening_is_a_post(yuecheng_officer):
    notify([yuecheng_officer], "通知", "/cultivation/")
    notification = Notification.objects.get()
    response = signed_in(yuecheng_officer).get(f"/notifications/{notification.pk}/open/")
    assert response.status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_and_the_unread_filter(yuecheng_officer, city_admin):
    notify([yuecheng_officer], "第一条", "/cultivation/")
    notify([yuecheng_officer], "第二条", "/cultivation/")
    notify([city_admin], "市级的", "/cultivation/")
    client = signed_in(yuecheng_officer)
    html = client.get("/notifications/?unread=1").content.decode()
    assert html.count('data-read="no"') == 2
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=yuecheng_officer, read_at__isnull=True).exists()
    # only the user's own were marked
    assert Notification.objects.get(user=city_admin).read_at is None
    html = client.get("/notifications/?unread=1").content.decode()
    assert "没有通知。" in html


def test_the_workflow_notifies_the_next_person_in_the_bell(enterprise_user, yuecheng_officer, plan):
    from django.core.files.uploadedfile import SimpleUploadedFile

    firm = make_enterprise(region="越城区")
    firm.members.add(enterprise_user)
    application = make_application(firm, make_batch())
    client = signed_in(enterprise_user)
    client.post(
        f"/cultivation/applications/{application.pk}/attachments/",
        {
            "requirement": "申报书",
            "file": SimpleUploadedFile("申报书.pdf", b"%PDF-1.4\n%%EOF\n"),
        },
    )
    client.post(f"/cultivation/applications/{application.pk}/submit/")
    officer = signed_in(yuecheng_officer)
    html = officer.get("/notifications/").content.decode()
    assert f"{firm.name}提交了「市级数字化车间」申报，待区县审核。" in html
    assert ">1</span>" in bell_of(html)
