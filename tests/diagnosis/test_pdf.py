"""The report as a PDF: Chinese text that a reader without Chinese fonts still shows, because the
font (a subset of Noto Sans SC) is inside the file. Checked in pure Python: the text extracted
from the PDF, and the embedded font program. (To look at it: pdftoppm -png -r 80 report.pdf p.)"""

import io
import time

import pytest
from pypdf import PdfReader

from tests.conftest import signed_in
from tests.diagnosis.test_pages import answers_up_to
from tests.enterprises.factories import make_enterprise
from zhizao.diagnosis.services import (
    assessment_report,
    save_answers,
    start_assessment,
    submit_assessment,
)


@pytest.fixture
def submitted(enterprise_user):
    firm = make_enterprise("越城智造有限公司", region="越城区", cluster="现代纺织")
    firm.members.add(enterprise_user)
    assessment = start_assessment(firm, enterprise_user, "离散型", 2025)
    save_answers(assessment, enterprise_user, answers_up_to(2))
    return submit_assessment(assessment, enterprise_user)


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    # pypdf puts spaces (and NULs) between CJK glyphs it places one by one, though the font's
    # ToUnicode map is right (pdftotext reads the lines cleanly): the words are what count.
    text = "".join(page.extract_text() for page in reader.pages)
    return "".join(text.replace("\x00", "").split())


def embedded_fonts(content: bytes) -> list[tuple[str, bool]]:
    """(font name, whether its program is inside the file) for every font the pages use."""
    reader = PdfReader(io.BytesIO(content))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = (
                font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            )
            descriptor = descendant["/FontDescriptor"].get_object()
            program = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found.append((str(font["/BaseFont"]), program))
    return found


def test_the_report_downloads_as_a_pdf_with_its_chinese_text(submitted, enterprise_user):
    # when the enterprise downloads its report
    started = time.perf_counter()
    response = signed_in(enterprise_user).get(f"/diagnosis/assessments/{submitted.pk}/report.pdf")
    seconds = time.perf_counter() - started

    # then it is a PDF whose text has the enterprise, S and the level in Chinese
    assert response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "越城智造有限公司2025年智能制造能力成熟度自评估报告" in text
    assert "2.00·二级规范级" in text
    for heading in ["各等级得分", "各能力域得分", "与区县、产业集群比较", "历次自评估", "差距项"]:
        assert heading in text
    # the gaps are the level-3 requirements
    assert "PO-3-01" in text
    # and it comes fast enough to open from the page
    assert seconds < 5, seconds


def test_the_chinese_font_is_embedded_as_a_subset(submitted):
    from zhizao.diagnosis.pdf import assessment_pdf

    content = assessment_pdf(assessment_report(submitted))
    fonts = embedded_fonts(content)
    assert fonts, "the pages use a font"
    for name, embedded in fonts:
        # a subset's name carries a six-letter tag: ABCDEF+NotoSansSC
        assert embedded and name.split("+")[-1] == "NotoSansSC" and "+" in name, name
    # a subset, not the 8 MB font
    assert len(content) < 400_000


def test_a_report_below_level_one_names_its_band_once(enterprise_user):
    firm = make_enterprise("越城起步有限公司", region="越城区")
    firm.members.add(enterprise_user)
    assessment = start_assessment(firm, enterprise_user, "流程型", 2025)
    save_answers(assessment, enterprise_user, answers_up_to(0))
    submitted = submit_assessment(assessment, enterprise_user)
    response = signed_in(enterprise_user).get(f"/diagnosis/assessments/{submitted.pk}/report.pdf")
    text = text_of(response.content)
    assert "0.00·未达一级" in text and "未达一级未达一级" not in text
    assert "一级规划级未全部满足的要求" in text
