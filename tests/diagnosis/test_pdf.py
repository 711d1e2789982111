"""The report as a PDF: Chinese text that a reader without Chinese fonts still shows, because the
font (a subset of Noto Sans SC) is inside the file, and that copy and search give back, page by
page. Checked with pypdf and, where poppler-utils is installed, with pdftotext; and the embedded
font program. (To look at it: pdftoppm -png -r 80 report.pdf p.)"""

import io
import shutil
import subprocess
import time
from datetime import UTC, datetime

import pytest
import time_machine
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

TODAY = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


@pytest.fixture
def submitted(enterprise_user):
    with time_machine.travel(TODAY, tick=False):
        firm = make_enterprise("越城智造有限公司", region="越城区", cluster="现代纺织")
        firm.members.add(enterprise_user)
        assessment = start_assessment(firm, enterprise_user, "离散型", 2025)
        save_answers(assessment, enterprise_user, answers_up_to(2))
        return submit_assessment(assessment, enterprise_user)


def squeeze(text: str) -> str:
    """The text without its white space: table cells and wrapped lines put spaces and line breaks
    where the words are split, which is layout, not content."""
    return "".join(text.split())


def pages_by_pypdf(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def pages_by_pdftotext(content: bytes) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    return out.split("\f")[:-1]  # a form feed ends every page


def text_of(content: bytes) -> str:
    return squeeze("".join(pages_by_pypdf(content)))


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


# What each page of the 二级 report of 越城智造有限公司 says, written out by hand from the
# questionnaire file (the level-3 requirements are its gaps, heaviest sub-domain first). Table
# rows are given cell by cell: readers differ in the order they read a table's columns.
PAGE_1 = [
    "越城智造有限公司2025年智能制造能力成熟度自评估报告",
    "企业：越城智造有限公司（越城区·现代纺织）",
    "行业类型：离散型",
    "2.00·二级规范级",
    "各等级得分",
    *["一级规划级", "二级规范级", "三级集成级", "四级优化级", "五级引领级"],
    "各能力域得分",
    *["组织战略", "人员技能", "数据", "集成", "信息安全", "装备", "网络"],
    *["设计", "生产", "物流", "销售", "服务"],
    "第1页，共3页",
]
PAGE_2 = [
    "与区县、产业集群比较",
    "越城区中位数",
    "现代纺织集群中位数",
    "历次自评估",
    "2026-12-08",
    "差距项（三级集成级未全部满足的要求）",
    *["PO-3-02", "生产·生产作业", "从原料到成品全程可追溯，关键质量数据与工艺参数相关联。"],
    *["PS-3-02", "生产·计划与调度", "车间排程考虑设备产能和物料齐套等约束。"],
    *["PD-3-02", "设计·产品设计", "用仿真分析验证产品性能，减少实物试制的次数。"],
    *["OS-3-02", "建立了跨部门推进机制，业务部门与信息化部门共同对项目成效负责。"],
    "第2页，共3页",
]
PAGE_3 = [
    *["EN-3-01", "生产·能源管理", "能源数据与生产数据集成，能核算单位产品能耗。"],
    *["LO-3-01", "物流与销售、仓储集成，在途产品可实时跟踪。"],
    *["SA-3-01", "销售与计划、生产、库存集成，能实时答复客户交期。"],
    "第3页，共3页",
]


def assert_pages_say(pages: list[str], reader: str) -> None:
    assert len(pages) == 3, (reader, len(pages))
    for number, (page, expected) in enumerate(zip(pages, [PAGE_1, PAGE_2, PAGE_3], strict=True), 1):
        text = squeeze(page)
        missing = [phrase for phrase in expected if phrase not in text]
        assert not missing, (reader, number, missing, text)


def test_every_page_gives_back_its_chinese_text(submitted):
    from zhizao.diagnosis.pdf import assessment_pdf

    # given the report of 越城智造有限公司 as a PDF (more than 255 different characters, so
    # that pages 2 and 3 use glyphs numbered above 0xFF)
    content = assessment_pdf(assessment_report(submitted))

    # when its text layer is read page by page, then each page says what it shows
    pypdf_pages = pages_by_pypdf(content)
    assert_pages_say(pypdf_pages, "pypdf")
    # with no stray NULs or foreign characters between the glyphs
    assert "\x00" not in "".join(pypdf_pages)
    if shutil.which("pdftotext"):
        assert_pages_say(pages_by_pdftotext(content), "pdftotext")


def test_the_font_is_encoded_with_identity_h_and_a_unicode_map(submitted):
    from zhizao.diagnosis.pdf import assessment_pdf

    content = assessment_pdf(assessment_report(submitted))
    reader = PdfReader(io.BytesIO(content))
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            # the predefined encoding every reader knows, not an embedded CMap
            assert font["/Encoding"] == "/Identity-H"
            unicode_map = font["/ToUnicode"].get_object().get_data().decode()
            # 智 is U+667A: its code is its CID in Noto Sans SC (Adobe-Identity-0), 20445
            assert "<4FDD> <667A>" in unicode_map


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


def test_the_report_is_saved_under_its_chinese_name(submitted, enterprise_user):
    response = signed_in(enterprise_user).get(f"/diagnosis/assessments/{submitted.pk}/report.pdf")

    # a download (a phone would open an inline PDF in the tab), its name the report's title:
    # 越城智造有限公司2025年智能制造能力成熟度自评估报告.pdf in UTF-8, percent-encoded
    # (越 = E8 B6 8A, 城 = E5 9F 8E …), and an ASCII name for clients that read only filename=
    expected = (
        f'attachment; filename="self-assessment-{submitted.enterprise_id}-2025.pdf"; '
        "filename*=UTF-8''"
        "%E8%B6%8A%E5%9F%8E%E6%99%BA%E9%80%A0%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8"  # 越城智造有限公司
        "2025%E5%B9%B4"  # 2025年
        "%E6%99%BA%E8%83%BD%E5%88%B6%E9%80%A0"  # 智能制造
        "%E8%83%BD%E5%8A%9B%E6%88%90%E7%86%9F%E5%BA%A6"  # 能力成熟度
        "%E8%87%AA%E8%AF%84%E4%BC%B0%E6%8A%A5%E5%91%8A"  # 自评估报告
        ".pdf"
    )
    assert response["Content-Disposition"] == expected


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
    with time_machine.travel(TODAY, tick=False):
        firm = make_enterprise("越城起步有限公司", region="越城区")
        firm.members.add(enterprise_user)
        assessment = start_assessment(firm, enterprise_user, "流程型", 2025)
        save_answers(assessment, enterprise_user, answers_up_to(0))
        submitted = submit_assessment(assessment, enterprise_user)
    response = signed_in(enterprise_user).get(f"/diagnosis/assessments/{submitted.pk}/report.pdf")
    text = text_of(response.content)
    assert "0.00·未达一级" in text and "未达一级未达一级" not in text
    assert "一级规划级未全部满足的要求" in text
