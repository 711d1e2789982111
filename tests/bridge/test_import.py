"""`zhizao bridge import` and `zhizao bridge template`: a workbook with one sheet per library,
all or nothing, row-level errors naming sheet, row, column and value, re-import by natural key,
what people type accepted; real .xlsx files written with openpyxl."""

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from tests.bridge.factories import (
    make_expert_user,
    make_provider,
    make_provider_user,
    make_standard,
)
from zhizao.bridge.importing import import_workbook
from zhizao.bridge.models import (
    Case,
    EntryStatus,
    ExpertProfile,
    FinancialProduct,
    Provider,
    SearchDocument,
    Solution,
    Standard,
)
from zhizao.core.models import Notification

STANDARD_HEADERS = ["标准号", "标准名称", "标准状态", "实施日期", "适用产业集群", "能力子域"]
PROVIDER_HEADERS = ["服务商名称", "服务区县", "技术人员数（人）", "评分（5分制）", "适用产业集群"]
SOLUTION_HEADERS = [
    "方案名称",
    "服务商",
    "典型投资下限（万元）",
    "典型投资上限（万元）",
    "能力子域",
]
CASE_HEADERS = ["案例名称", "服务商", "所用方案", "投资额（万元）", "实施成效"]
FINANCE_HEADERS = ["产品名称", "金融机构", "产品类型", "利率/费率下限（%）", "利率/费率上限（%）"]


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """One sheet per entry of `sheets`: its first list is the header row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        ws = workbook.create_sheet(name)
        for row in rows:
            ws.append(row)
    workbook.save(path)
    return path


def library_file(tmp_path, name: str = "library.xlsx", **changes) -> Path:
    """A valid workbook of four libraries, the solutions and cases naming the file's provider."""
    sheets = {
        "智造标准": [
            STANDARD_HEADERS,
            [
                "GB/T 39116-2020",
                "智能制造能力成熟度模型",
                "现行",
                "2021-05-01",
                "现代纺织",
                "PO、PS",
            ],
            ["GB/T 39117-2020", "智能制造能力成熟度评估方法", "现行", None, None, None],
        ],
        "信息工程服务商": [
            PROVIDER_HEADERS,
            ["绍兴智联科技有限公司", "越城区、柯桥区", 35, 4.5, "现代纺织"],
        ],
        "解决方案": [
            SOLUTION_HEADERS,
            ["印染数字化车间方案", "绍兴智联科技有限公司", 200, 800, "生产作业、PS"],
        ],
        "典型案例": [
            CASE_HEADERS,
            [
                "某印染企业数字化车间",
                "绍兴智联科技有限公司",
                "印染数字化车间方案",
                650,
                "劳动生产率（万元/人）：120→150；产品不良品率（%）：3→1.5",
            ],
        ],
    }
    sheets.update(changes)
    return write_workbook(tmp_path / name, sheets)


def errors_of(result) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.value, e.message) for e in result.errors]


# --- the template -----------------------------------------------------------------------------


def test_template_has_a_notes_sheet_and_a_sheet_per_library(plan, tmp_path):
    # when
    path = tmp_path / "template.xlsx"
    call_command("bridge", "template", str(path), stdout=io.StringIO())
    # then
    workbook = load_workbook(path)
    assert workbook.sheetnames == [
        "填写说明", "智造标准", "智能装备", "软件系统", "解决方案", "信息工程服务商", "专家人才",
        "金融产品", "典型案例",
    ]  # fmt: skip
    headers = [cell.value for cell in workbook["解决方案"][1]]
    assert headers[:4] == ["方案名称", "服务商", "典型投资下限（万元）", "典型投资上限（万元）"]
    assert workbook["解决方案"]["A2"].value == "示例：印染企业数字化车间整体解决方案"


def test_the_untouched_template_is_refused_for_its_example_rows(plan, tmp_path):
    path = tmp_path / "template.xlsx"
    call_command("bridge", "template", str(path), stdout=io.StringIO())
    result = import_workbook(path)
    assert not result.applied
    assert ("智造标准", 2, "标准号", "示例：GB/T 39116-2020") in [e[:4] for e in errors_of(result)]
    assert {e.message for e in result.errors} == {
        "这一行是模板中的示例，请删除或改成实际数据后再导入。"
    }
    assert Standard.objects.count() == 0


# --- importing --------------------------------------------------------------------------------


def test_a_workbook_of_several_libraries_is_imported_and_published(plan, tmp_path):
    # when
    result = import_workbook(library_file(tmp_path), publish=True)
    # then
    assert result.errors == []
    assert result.summary()["sheets"] == {
        "信息工程服务商": {"rows": 1, "created": 1, "updated": 0, "unchanged": 0},
        "解决方案": {"rows": 1, "created": 1, "updated": 0, "unchanged": 0},
        "典型案例": {"rows": 1, "created": 1, "updated": 0, "unchanged": 0},
        "智造标准": {"rows": 2, "created": 2, "updated": 0, "unchanged": 0},
    }
    standard = Standard.objects.get(code="GB/T 39116-2020")
    assert standard.status == EntryStatus.PUBLISHED and standard.published_at is not None
    assert standard.subdomains == ["PO", "PS"]
    assert [c.name for c in standard.clusters.all()] == ["现代纺织"]
    provider = Provider.objects.get()
    assert sorted(r.name for r in provider.regions_served.all()) == ["柯桥区", "越城区"]
    assert (provider.staff, provider.rating) == (35, Decimal("4.50"))
    solution = Solution.objects.get()
    assert solution.provider == provider and solution.subdomains == ["PO", "PS"]
    case = Case.objects.get()
    assert (case.provider, case.solution) == (provider, solution)
    assert case.results == [
        {"name": "劳动生产率", "unit": "万元/人", "before": "120", "after": "150"},
        {"name": "产品不良品率", "unit": "%", "before": "3", "after": "1.5"},
    ]
    assert SearchDocument.objects.filter(is_published=True).count() == 5
    assert standard.history.first().history_change_reason == "导入：library.xlsx"


def test_importing_the_same_file_again_changes_nothing(plan, tmp_path):
    path = library_file(tmp_path)
    import_workbook(path, publish=True)
    histories = Standard.history.count()
    # when
    result = import_workbook(path, publish=True)
    # then
    assert (result.created, result.updated, result.unchanged) == (0, 0, 5)
    assert Standard.objects.count() == 2 and Standard.history.count() == histories


def test_a_reimport_updates_by_natural_key_instead_of_duplicating(plan, tmp_path):
    # given
    make_standard("GB/T 39116-2020", title="旧名称")
    path = write_workbook(
        tmp_path / "s.xlsx",
        {"智造标准": [["标准号", "标准名称"], ["GB/T39116-2020", " 智能制造能力成熟度模型 "]]},
    )
    # when
    result = import_workbook(path)
    # then
    assert (result.created, result.updated) == (0, 1)
    standard = Standard.objects.get()
    assert standard.title == "智能制造能力成熟度模型"


def test_row_errors_name_sheet_row_column_and_value_and_nothing_is_written(plan, tmp_path):
    # given: valid rows around the bad ones
    path = library_file(
        tmp_path,
        智造标准=[
            STANDARD_HEADERS,
            ["GB/T 39116-2020", "智能制造能力成熟度模型", "现行", None, "现代纺织", None],
            ["ＧＢ/Ｔ 39116-2020", "重复的一行", None, None, None, None],
            ["GB/T 1-2020", "未知集群", None, None, "纺织服装", "XX"],
            ["GB/T 2-2020", "日期不对", "试行", "2021-13-01", None, None],
        ],
        金融产品=[FINANCE_HEADERS, ["智改贷", "某银行绍兴分行", "贷款", "4.5%", "3.2"]],
    )
    # when
    result = import_workbook(path, publish=True)
    # then
    assert errors_of(result) == [
        ("智造标准", 3, "标准号", "ＧＢ/Ｔ 39116-2020", "标准号重复：与第 2 行相同。"),
        ("智造标准", 4, "适用产业集群", "纺织服装", "未知的产业集群「纺织服装」。"),
        ("智造标准", 4, "能力子域", "XX", "未知的能力子域代码「XX」。"),
        ("智造标准", 5, "标准状态", "试行", "「标准状态」只能填写 现行、废止、即将实施，填写的是「试行」。"),
        ("智造标准", 5, "实施日期", "2021-13-01", "「实施日期」应为日期，如 2021-05-01，填写的是「2021-13-01」。"),
        ("金融产品", 2, "利率/费率下限（%）", "4.5%", "利率下限（4.5%）大于上限（3.2%）。"),
    ]  # fmt: skip
    assert not result.applied
    assert Standard.objects.count() == Provider.objects.count() == 0
    assert FinancialProduct.objects.count() == SearchDocument.objects.count() == 0


def test_full_width_digits_and_stray_spaces_are_accepted(plan, tmp_path):
    path = write_workbook(
        tmp_path / "p.xlsx",
        {
            " 信息工程服务商 ": [
                ["服务商名称 ", "服务区县", "技术人员数 （人）", "评分（5分制）", "适用行业大类"],
                ["  绍兴  某某 科技有限公司 ", " 越城区 ，柯桥区 ", "１２０", "４.５", "１７、 28"],
            ]
        },
    )
    result = import_workbook(path)
    assert result.errors == []
    provider = Provider.objects.get()
    assert provider.name == "绍兴某某科技有限公司"
    assert (provider.staff, provider.rating, provider.divisions) == (
        120,
        Decimal("4.5"),
        ["17", "28"],
    )
    assert provider.regions_served.count() == 2
    assert provider.status == EntryStatus.PENDING


def test_wrong_sheet_names_unknown_and_missing_columns_are_reported(plan, tmp_path):
    path = write_workbook(
        tmp_path / "bad.xlsx",
        {
            "标准": [["标准号", "标准名称"], ["GB/T 1-2020", "某标准"]],
            "软件系统": [["软件名称", "开发商", "版本号"], ["某MES", "某公司", "1.0"]],
        },
    )
    result = import_workbook(path)
    assert [e.message for e in result.errors] == [
        "未知的工作表「标准」：工作表应以资源库命名（智造标准、智能装备、软件系统、解决方案、"
        "信息工程服务商、专家人才、金融产品、典型案例）。",
        "未知的列「版本号」，请使用下载的导入模板。",
        "缺少必填列「类别」。",
    ]
    assert [(e.sheet, e.row) for e in result.errors] == [
        ("标准", None),
        ("软件系统", 1),
        ("软件系统", 1),
    ]


def test_a_case_naming_an_unknown_provider_is_refused(plan, tmp_path):
    path = write_workbook(
        tmp_path / "c.xlsx",
        {"典型案例": [CASE_HEADERS, ["某案例", "不存在的服务商", None, None, "产能：100→"]]},
    )
    result = import_workbook(path)
    assert [(e.column, e.message) for e in result.errors] == [
        (
            "服务商",
            "找不到服务商「不存在的服务商」：须已在服务商库中，或在本文件的「信息工程服务商」工作表中。",
        ),
        (
            "实施成效",
            "「实施成效」中的「产能：100→」应写成 名称（单位）：改造前→改造后，"
            "如 劳动生产率（万元/人）：120→150。",
        ),
    ]


def test_a_dry_run_counts_but_writes_nothing(plan, tmp_path):
    result = import_workbook(library_file(tmp_path), dry_run=True)
    assert (result.rows, result.created, result.applied) == (5, 5, False)
    assert Standard.objects.count() == Case.objects.count() == 0


# --- who imports ------------------------------------------------------------------------------


def test_a_provider_imports_its_own_solutions_for_review(city_admin, tmp_path):
    # given
    account = make_provider_user(username="zhilian")
    provider = make_provider("绍兴智联科技有限公司", maintainers=[account])
    path = write_workbook(
        tmp_path / "mine.xlsx", {"解决方案": [SOLUTION_HEADERS, ["新方案", None, 100, 300, None]]}
    )
    # when
    result = import_workbook(path, account)
    # then
    assert result.errors == [] and result.created == 1
    solution = Solution.objects.get()
    assert (solution.provider, solution.status) == (provider, EntryStatus.PENDING)
    assert list(solution.maintainers.all()) == [account]
    assert (
        Notification.objects.get(user=city_admin).text
        == "服务商用户导入了 1 个资源库条目，等待审核。"
    )


def test_a_provider_may_not_import_standards_or_others_entries(plan, tmp_path):
    account = make_provider_user(username="zhilian")
    make_provider("别家服务商有限公司")
    path = library_file(
        tmp_path,
        信息工程服务商=[PROVIDER_HEADERS, ["别家服务商有限公司", None, 10, None, None]],
        解决方案=[SOLUTION_HEADERS],
        典型案例=[CASE_HEADERS],
    )
    result = import_workbook(path, account)
    assert [(e.sheet, e.row, e.message) for e in result.errors] == [
        (
            "信息工程服务商",
            2,
            "信息工程服务商「别家服务商有限公司」由他人维护，您不能通过导入修改。",
        ),
        ("智造标准", 2, "服务商不能新建智造标准条目。"),
        ("智造标准", 3, "服务商不能新建智造标准条目。"),
    ]
    refused = import_workbook(path, account, publish=True)
    assert [e.message for e in refused.errors] == [
        "只有市级管理员可以导入并直接发布（--publish）。"
    ]


# --- files and the command --------------------------------------------------------------------


def test_files_that_are_not_workbooks_are_refused(plan, tmp_path):
    csv = tmp_path / "s.csv"
    csv.write_text("标准号,标准名称\nGB/T 1-2020,某标准\n", encoding="utf-8")
    assert [e.message for e in import_workbook(csv).errors] == [
        "资源库导入需要 Excel 工作簿（.xlsx），每个资源库一个工作表；请使用下载的导入模板。"
    ]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook at all")
    assert import_workbook(broken).errors[0].message.startswith("文件已损坏或不是 Excel 文件")


def test_the_command_prints_the_summary_and_fails_on_errors(plan, tmp_path):
    out = io.StringIO()
    call_command("bridge", "import", str(library_file(tmp_path)), "--dry-run", stdout=out)
    summary = json.loads(out.getvalue())
    assert (summary["rows"], summary["created"], summary["applied"]) == (5, 5, False)
    bad = write_workbook(
        tmp_path / "bad.xlsx", {"智造标准": [["标准号", "标准名称"], ["GB/T 1", None]]}
    )
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("bridge", "import", str(bad), stdout=out)
    assert exit_.value.code == 1
    assert json.loads(out.getvalue())["errors"] == [
        {
            "sheet": "智造标准",
            "row": 2,
            "column": "标准名称",
            "value": "",
            "message": "请填写标准名称。",
        }
    ]


def test_an_expert_imports_its_own_profile(plan, tmp_path):
    expert = make_expert_user(username="expert-zhao")
    path = write_workbook(
        tmp_path / "me.xlsx",
        {"专家人才": [["姓名", "专业领域", "工作单位"], ["赵工", "黄酒酿造自动化", "某大学"]]},
    )
    result = import_workbook(path, expert)
    assert result.errors == []
    profile = ExpertProfile.objects.get()
    assert (profile.user, profile.status) == (expert, EntryStatus.PENDING)
    assert list(profile.maintainers.all()) == [expert]
