"""The admin shows self-assessments and diagnoses with their history, and changes nothing."""

import pytest

from tests.diagnosis.factories import EXAMPLE, make_assessment, make_diagnosis
from tests.enterprises.factories import make_enterprise


@pytest.mark.parametrize("model", ["selfassessment", "expertdiagnosis"])
def test_list_change_and_history_pages_open_read_only(admin_client_, model):
    enterprise = make_enterprise("越城智造有限公司")
    record = {
        "selfassessment": lambda: make_assessment(enterprise, 2024, answers=EXAMPLE),
        "expertdiagnosis": lambda: make_diagnosis(enterprise, findings={"生产": "排产靠人工"}),
    }[model]()
    base = f"/admin/diagnosis/{model}/"

    listing = admin_client_.get(base)
    change = admin_client_.get(f"{base}{record.pk}/change/")

    assert listing.status_code == 200 and "越城智造有限公司" in listing.content.decode()
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert admin_client_.get(f"{base}{record.pk}/history/").status_code == 200
    assert admin_client_.get(f"{base}add/").status_code == 403
