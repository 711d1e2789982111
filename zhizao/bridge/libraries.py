"""The registry of the maintained libraries of 新智造鹊桥: for each library its model, its code,
the field that names an entry, its natural key (what a re-import matches on), the columns shown
and imported with their Chinese headers (units in the header), and who besides the city admin
may create its entries.

Services, the import, its template, the API and the pages all read this one description, so a
field added here shows everywhere. Enterprises and projects are the platform's own registries and
have no entry here: they reach the bridge through the search index only."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from zhizao.bridge.models import (
    Case,
    Deployment,
    Equipment,
    ExpertProfile,
    FinanceType,
    FinancialProduct,
    Library,
    LibraryEntry,
    Provider,
    Software,
    SoftwareCategory,
    Solution,
    Standard,
    StandardStatus,
)
from zhizao.core.roles import Role

# Column kinds: how a cell is read (importing.py) and a value checked (services.py).
TEXT = "text"  # one line
LONG_TEXT = "longtext"  # paragraphs
INT = "int"  # a count, not negative
DECIMAL = "decimal"  # an amount (万元), not negative
PERCENT = "percent"  # a rate in %, a trailing % allowed
RATING = "rating"  # 0—5
DATE = "date"
BOOL = "bool"  # 是/否
CHOICE = "choice"  # a label (or the code) of `choices`
CLUSTERS = "clusters"  # names or codes of the plan's clusters
DIVISIONS = "divisions"  # GB/T 4754 manufacturing divisions 13—43
SUBDOMAINS = "subdomains"  # codes (or names) of the maturity model's sub-domains
REGIONS = "regions"  # names of districts
PROVIDER = "provider"  # a provider's name
ENTERPRISE = "enterprise"  # an enterprise's 统一社会信用代码
SOLUTION = "solution"  # a solution's title (of the row's provider)
USER = "user"  # a platform username
USCC = "uscc"  # a 统一社会信用代码 kept as text
RESULTS = "results"  # 名称（单位）：改造前→改造后；…

LIST_KINDS = {CLUSTERS, DIVISIONS, SUBDOMAINS, REGIONS}
MANY_TO_MANY = {CLUSTERS: "clusters", REGIONS: "regions_served"}


@dataclass(frozen=True)
class Column:
    """One field of a library as shown and imported."""

    field: str  # the model's attribute
    header: str  # the Chinese header, with the unit in full-width brackets
    kind: str = TEXT
    required: bool = False
    note: str = ""  # what to fill in, for the template's notes sheet
    choices: type | None = None  # a TextChoices for CHOICE
    example: object = None  # the template's example cell
    short: str = ""  # the name in messages, when the header's brackets are not a unit

    @property
    def label(self) -> str:
        """The header without its unit: 典型投资下限（万元） → 典型投资下限."""
        return self.short or self.header.split("（", 1)[0]

    @property
    def unit(self) -> str:
        """The unit in the header: 典型投资下限（万元） → 万元."""
        if self.short or "（" not in self.header:
            return ""
        return self.header.split("（", 1)[1].rstrip("）")


@dataclass(frozen=True)
class LibrarySpec:
    library: str  # a Library value
    model: type[LibraryEntry]
    title_field: str
    key: tuple[str, ...]  # the natural key: a re-import updates the entry with the same key
    columns: tuple[Column, ...]
    creators: frozenset[str] = field(default_factory=frozenset)  # roles besides the city admin
    api_prefix: str = ""

    @property
    def label(self) -> str:
        return str(Library(self.library).label)

    @property
    def columns_by_field(self) -> dict[str, Column]:
        return {c.field: c for c in self.columns}

    def column(self, name: str) -> Column:
        return self.columns_by_field[name]

    def title_of(self, entry) -> str:
        return str(getattr(entry, self.title_field))

    def key_of(self, values: dict) -> tuple:
        """The natural key of an entry's values, as compared (relations by id)."""
        return tuple(_key_part(values.get(name)) for name in self.key)

    def key_filter(self, values: dict) -> dict:
        return {name: values.get(name) for name in self.key}

    def describe_key(self, values: dict) -> str:
        """The key in words for messages: 「GB/T 39116-2020」 or 「MES系统」（开发商：某某）."""
        first, *rest = self.key
        text = f"「{values.get(first) or ''}」"
        extra = [f"{self.column(name).label}：{values[name]}" for name in rest if values.get(name)]
        return text + (f"（{'，'.join(extra)}）" if extra else "")


def _key_part(value):
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, str):
        return value.strip()
    return value


# The fields every library shares (LibraryEntry), after each library's own.
COMMON = (
    Column(
        "clusters",
        "适用产业集群",
        CLUSTERS,
        note="方案的产业集群名称，可填多个，用“、”分隔，如 现代纺织、绿色化工。",
        example="现代纺织、绿色化工",
    ),
    Column(
        "divisions",
        "适用行业大类",
        DIVISIONS,
        note="GB/T 4754 制造业大类代码（13—43），可填多个，用“、”分隔，如 17、28。",
        example="17、28",
    ),
    Column(
        "subdomains",
        "能力子域",
        SUBDOMAINS,
        note="智能制造能力成熟度模型（GB/T 39116）的能力子域代码或名称，可填多个，如 PO、生产作业。",
        example="PO、PS",
    ),
    Column("description", "简介", LONG_TEXT, note="条目的简要介绍，用于检索和展示。"),
)

STANDARD = LibrarySpec(
    Library.STANDARD,
    Standard,
    "title",
    ("code",),
    (
        Column(
            "code",
            "标准号",
            required=True,
            note="如 GB/T 39116-2020；同一标准号只能有一行。",
            example="GB/T 39116-2020",
        ),
        Column("title", "标准名称", required=True, example="智能制造能力成熟度模型"),
        Column(
            "standard_status",
            "标准状态",
            CHOICE,
            choices=StandardStatus,
            note="现行、废止或即将实施；不填为现行。",
            example="现行",
        ),
        Column("issued_on", "发布日期", DATE, example="2020-10-11"),
        Column("effective_on", "实施日期", DATE, example="2021-05-01"),
        Column("scope_text", "适用范围", LONG_TEXT),
        *COMMON,
    ),
    api_prefix="bridge-standards",
)

EQUIPMENT = LibrarySpec(
    Library.EQUIPMENT,
    Equipment,
    "name",
    ("name", "maker"),
    (
        Column("name", "装备名称", required=True, example="六轴工业机器人"),
        Column("maker", "生产企业", required=True, example="绍兴某某智能装备有限公司"),
        Column("category", "装备类别", required=True, example="工业机器人"),
        Column(
            "specifications", "主要技术参数", LONG_TEXT, example="负载 20 kg，重复定位精度 ±0.05 mm"
        ),
        Column(
            "first_of_kind",
            "首台（套）",
            BOOL,
            note="是或否；不填为否。",
            example="否",
            short="首台（套）",
        ),
        *COMMON,
    ),
    creators=frozenset({Role.PROVIDER}),
    api_prefix="bridge-equipment",
)

SOFTWARE = LibrarySpec(
    Library.SOFTWARE,
    Software,
    "name",
    ("name", "vendor"),
    (
        Column("name", "软件名称", required=True, example="某某MES制造执行系统"),
        Column(
            "category",
            "类别",
            CHOICE,
            required=True,
            choices=SoftwareCategory,
            note="ERP、MES、PLM、SCM、WMS、APS、QMS、EMS、工业互联网平台或其他。",
            example="MES",
        ),
        Column("vendor", "开发商", required=True, example="绍兴某某软件有限公司"),
        Column(
            "deployment",
            "部署方式",
            CHOICE,
            choices=Deployment,
            note="本地部署、云服务或混合部署；不填为本地部署。",
            example="云服务",
        ),
        *COMMON,
    ),
    creators=frozenset({Role.PROVIDER}),
    api_prefix="bridge-software",
)

PROVIDER_SPEC = LibrarySpec(
    Library.PROVIDER,
    Provider,
    "name",
    ("name",),
    (
        Column("name", "服务商名称", required=True, example="绍兴某某智能科技有限公司"),
        Column("uscc", "统一社会信用代码", USCC, note="18 位，请设为文本格式填写。"),
        Column("qualifications", "资质", LONG_TEXT, example="浙江省智能制造工程服务公司"),
        Column(
            "regions_served",
            "服务区县",
            REGIONS,
            note="区、县（市）名称，可填多个，用“、”分隔。",
            example="越城区、柯桥区",
        ),
        Column("staff", "技术人员数（人）", INT, example=35),
        Column("delivered_projects", "已交付项目数（个）", INT, example=48),
        Column("rating", "评分（5分制）", RATING, note="0—5，可带两位小数。", example="4.5"),
        Column("contact", "联系方式", example="0575-88000000"),
        *COMMON,
    ),
    creators=frozenset({Role.PROVIDER}),
    api_prefix="bridge-providers",
)

SOLUTION = LibrarySpec(
    Library.SOLUTION,
    Solution,
    "title",
    ("title", "provider"),
    (
        Column("title", "方案名称", required=True, example="印染企业数字化车间整体解决方案"),
        Column(
            "provider",
            "服务商",
            PROVIDER,
            note="服务商名称：须已在服务商库中，或在本文件的「信息工程服务商」工作表中。",
            example="绍兴某某智能科技有限公司",
        ),
        Column("investment_min", "典型投资下限（万元）", DECIMAL, example=200),
        Column("investment_max", "典型投资上限（万元）", DECIMAL, example=800),
        *COMMON,
    ),
    creators=frozenset({Role.PROVIDER}),
    api_prefix="bridge-solutions",
)

EXPERT = LibrarySpec(
    Library.EXPERT,
    ExpertProfile,
    "name",
    ("name", "affiliation"),
    (
        Column("name", "姓名", required=True, example="王某某"),
        Column("expertise", "专业领域", required=True, example="纺织印染智能化改造"),
        Column("professional_title", "职称", example="正高级工程师"),
        Column("affiliation", "工作单位", example="某某大学"),
        Column(
            "user",
            "平台账号",
            USER,
            note="专家在本平台的用户名（角色须为专家）；填写后该账号可以维护本条目。",
        ),
        *COMMON,
    ),
    creators=frozenset({Role.EXPERT}),
    api_prefix="bridge-experts",
)

FINANCE = LibrarySpec(
    Library.FINANCE,
    FinancialProduct,
    "name",
    ("name", "institution"),
    (
        Column("name", "产品名称", required=True, example="智能化改造专项贷"),
        Column("institution", "金融机构", required=True, example="某某银行绍兴分行"),
        Column(
            "product_type",
            "产品类型",
            CHOICE,
            required=True,
            choices=FinanceType,
            note="贷款、融资租赁、保险或担保。",
            example="贷款",
        ),
        Column("rate_min", "利率/费率下限（%）", PERCENT, example="3.2"),
        Column("rate_max", "利率/费率上限（%）", PERCENT, example="4.5"),
        Column("limit", "额度上限（万元）", DECIMAL, example=3000),
        Column("eligibility", "申请条件", LONG_TEXT),
        *COMMON,
    ),
    api_prefix="bridge-finance",
)

CASE = LibrarySpec(
    Library.CASE,
    Case,
    "title",
    ("title",),
    (
        Column("title", "案例名称", required=True, example="某某印染企业数字化车间建设"),
        Column("enterprise_name", "实施企业名称", example="绍兴某某印染有限公司"),
        Column(
            "enterprise",
            "实施企业统一社会信用代码",
            ENTERPRISE,
            note="填写后与企业库中的企业关联，须已在企业库中。",
        ),
        Column(
            "provider",
            "服务商",
            PROVIDER,
            note="服务商名称：须已在服务商库中，或在本文件的「信息工程服务商」工作表中。",
            example="绍兴某某智能科技有限公司",
        ),
        Column(
            "solution",
            "所用方案",
            SOLUTION,
            note="该服务商的方案名称：须已在方案库中，或在本文件的「解决方案」工作表中。",
            example="印染企业数字化车间整体解决方案",
        ),
        Column("problem", "面临问题", LONG_TEXT),
        Column("approach", "解决方案", LONG_TEXT),
        Column("investment", "投资额（万元）", DECIMAL, example=650),
        Column(
            "results",
            "实施成效",
            RESULTS,
            note="每项写成 名称（单位）：改造前→改造后，多项用“；”分隔，"
            "如 劳动生产率（万元/人）：120→150；产品不良品率（%）：3→1.5。",
            example="劳动生产率（万元/人）：120→150；产品不良品率（%）：3→1.5",
        ),
        *COMMON,
    ),
    creators=frozenset({Role.PROVIDER}),
    api_prefix="bridge-cases",
)

# In the order of the plan's list; the import reads providers before the solutions and cases
# that name them, and solutions before the cases.
LIBRARIES: dict[str, LibrarySpec] = {
    spec.library: spec
    for spec in (STANDARD, EQUIPMENT, SOFTWARE, SOLUTION, PROVIDER_SPEC, EXPERT, FINANCE, CASE)
}
IMPORT_ORDER = [
    Library.PROVIDER,
    Library.SOLUTION,
    Library.CASE,
    Library.STANDARD,
    Library.EQUIPMENT,
    Library.SOFTWARE,
    Library.EXPERT,
    Library.FINANCE,
]
BY_MODEL: dict[type, LibrarySpec] = {spec.model: spec for spec in LIBRARIES.values()}
BY_LABEL: dict[str, LibrarySpec] = {spec.label: spec for spec in LIBRARIES.values()}


class UnknownLibrary(LookupError):
    pass


def spec_for(library) -> LibrarySpec:
    """The spec of a library given by code (Library value), label, model or entry."""
    if isinstance(library, LibrarySpec):
        return library
    if isinstance(library, LibraryEntry):
        library = type(library)
    if isinstance(library, type):
        if library in BY_MODEL:
            return BY_MODEL[library]
        raise UnknownLibrary(_("「%(name)s」不是资源库条目。") % {"name": library.__name__})
    code = str(library)
    if code in LIBRARIES:
        return LIBRARIES[code]
    if code in BY_LABEL:
        return BY_LABEL[code]
    raise UnknownLibrary(_("未知的资源库「%(code)s」。") % {"code": code})
