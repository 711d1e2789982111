"""The columns of the import file and its template: what each holds, the headers and
aliases it is recognised by, and how a header in a file is matched to its column."""

import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from zhizao.enterprises.fields import REPORT_FIELDS
from zhizao.enterprises.models import Enterprise, YearlyReport


@dataclass(frozen=True)
class Column:
    """One column of the import file and of its template."""

    key: str  # an Enterprise or YearlyReport field name, or "above_scale"
    header: str  # as the template writes it, with the unit
    kind: str  # uscc, text, region, cluster, industry, year, yesno, int, decimal, bool
    note: str  # for the template's 填写说明
    required: bool = False  # the column must be in the file (its cells may still be optional)
    filled: bool = False  # a cell must not be empty
    max_length: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def unit(self) -> str:
        """The unit in the header's last parentheses, for figures ("" for other columns)."""
        if self.kind not in ("int", "decimal"):
            return ""
        found = re.findall(r"\(([^()]*)\)", unicodedata.normalize("NFKC", self.header))
        return found[-1] if found else ""


KEEP = "留空则不修改系统中已有的内容。"


def _chinese(text) -> str:
    """The file's headers are Chinese whatever language the interface is in."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _enterprise_column(name: str, kind: str, note: str, **options) -> Column:
    model_field = Enterprise._meta.get_field(name)
    return Column(
        name,
        _chinese(model_field.verbose_name),
        kind,
        note,
        max_length=model_field.max_length if kind == "text" else None,
        **options,
    )


def _report_column(spec) -> Column:
    if spec.kind == "bool":
        note = "填“是”或“否”；留空视为“否”。"
    elif spec.kind == "int":
        note = "填不小于 0 的整数，没有的填 0；不能填百分比。"
    else:
        note = "填不小于 0 的数值，最多两位小数，没有的填 0。"
    return Column(
        spec.name,
        _chinese(YearlyReport._meta.get_field(spec.name).verbose_name),
        spec.kind,
        note,
        required=True,
        filled=spec.kind != "bool",
        aliases=_FIGURE_ALIASES.get(spec.name, ()),
    )


_FIGURE_ALIASES = {
    "employees": ("从业人员数", "年末从业人员", "从业人数"),
    "industrial_robots": ("工业机器人", "工业机器人数", "在役工业机器人数"),
    "cnc_key_processes": ("数控化关键工序数",),
    "networked_equipment": ("已联网设备数",),
    "uses_erp": ("ERP",),
    "uses_mes": ("MES",),
    "uses_plm": ("PLM", "PDM", "PLM/PDM"),
    "uses_scm": ("SCM",),
    "uses_wms": ("WMS",),
    "uses_aps": ("APS",),
    "uses_qms": ("QMS",),
    "uses_ems": ("EMS",),
    "rd_spending": ("研发费用", "研发经费"),
    "transformation_investment": ("智能化改造投资", "技改投资"),
}

COLUMNS: tuple[Column, ...] = (
    _enterprise_column(
        "uscc",
        "uscc",
        "18 位，由数字和大写字母组成，末位为校验码。请保持本列为文本格式，以免 Excel 改成科学计数。",
        required=True,
        filled=True,
        aliases=("社会信用代码", "统一信用代码", "信用代码", "纳税人识别号"),
    ),
    _enterprise_column(
        "name",
        "text",
        "营业执照上的全称。",
        required=True,
        filled=True,
        aliases=("单位名称", "公司名称", "企业"),
    ),
    _enterprise_column(
        "region",
        "region",
        "从下拉列表中选择本市的区、县（市）。区县用户只能导入本区县的企业。",
        required=True,
        filled=True,
        aliases=("区县", "区、县", "所属区、县", "所在区县", "区县市"),
    ),
    _enterprise_column("town", "text", KEEP, aliases=("乡镇街道", "镇街", "所属乡镇", "乡镇/街道")),
    _enterprise_column(
        "cluster",
        "cluster",
        "从下拉列表中选择；不属于任何集群的留空。" + KEEP,
        aliases=("所属产业集群", "集群"),
    ),
    _enterprise_column(
        "industry_code",
        "industry",
        "GB/T 4754 制造业代码：2 位大类（13—43），或以大类开头的 3 位中类、4 位小类，"
        "如 17、171、1711。",
        required=True,
        filled=True,
        aliases=("行业代码", "国民经济行业分类代码", "行业分类代码"),
    ),
    _enterprise_column(
        "address", "text", KEEP, aliases=("企业地址", "详细地址", "注册地址", "生产经营地址")
    ),
    _enterprise_column("contact_name", "text", KEEP),
    _enterprise_column(
        "contact_phone", "text", "手机或座机。" + KEEP, aliases=("电话", "联系方式", "手机")
    ),
    Column(
        "year",
        _chinese(YearlyReport._meta.get_field("year").verbose_name),
        "year",
        "数据所属年度，4 位数字，如 2023；须在方案年份内，且该年度未被市级锁定。"
        "同一企业同一年度只能有一行；再次导入同一企业同一年度会更新原有数据。",
        required=True,
        filled=True,
        aliases=("年度", "数据年份", "报告年份", "统计年度"),
    ),
    Column(
        "above_scale",
        "是否规上",
        "yesno",
        "该年度是否为规模以上工业企业，填“是”或“否”。",
        required=True,
        filled=True,
        aliases=("规上企业", "是否规上企业", "是否规模以上", "是否规模以上企业", "规上"),
    ),
    *(_report_column(spec) for spec in REPORT_FIELDS),
    Column(
        "comment",
        _chinese(YearlyReport._meta.get_field("comment").verbose_name),
        "text",
        "从业人员、工业机器人、产值、营收、增加值、用地、能耗与上年相比超过 3 倍或不到 1/3 时"
        "必须说明原因；留空则保留系统中已有的说明。",
        aliases=("备注", "情况说明", "变化说明", "异常说明"),
    ),
)
COLUMNS_BY_KEY = {c.key: c for c in COLUMNS}
FIGURE_KEYS = tuple(spec.name for spec in REPORT_FIELDS)
KEEP_IF_EMPTY = ("town", "address", "contact_name", "contact_phone")
# Units a figure's header may carry besides the template's own (the rest are refused, since a
# figure in 元 read as 万元 would be ten thousand times too big).
UNIT_SYNONYMS = {"吨标准煤": {"吨标准煤", "吨标煤", "tce"}}


def header_key(text) -> str:
    """What a header means, whatever its form: half-width, no spaces or line breaks, no units
    in parentheses, no required-marks, lower case (从业人员（人） == 从 业 人 员 == 从业人员)."""
    normal = unicodedata.normalize("NFKC", str(text or ""))
    normal = re.sub(r"\([^()]*\)", "", normal)
    return re.sub(r"[\s*]", "", normal).lower()


def header_unit(text) -> str:
    found = re.findall(r"\(([^()]*)\)", unicodedata.normalize("NFKC", str(text or "")))
    return "".join(found[-1].split()).lower() if found else ""


HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _text in (_column.header, *_column.aliases):
        HEADER_KEYS.setdefault(header_key(_text), _column.key)
