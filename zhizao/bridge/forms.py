"""The bridge pages' forms. An entry's form is built from its library's description
(libraries.py), so a field added there shows here; the forms only parse what a person types into
the values the services take, and the services check them and say, in Chinese, what is wrong."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from zhizao.bridge.libraries import (
    BOOL,
    CHOICE,
    CLUSTERS,
    DATE,
    DECIMAL,
    DIVISIONS,
    ENTERPRISE,
    INT,
    LONG_TEXT,
    PERCENT,
    PROVIDER,
    RATING,
    REGIONS,
    RESULTS,
    SOLUTION,
    SUBDOMAINS,
    USER,
    LibrarySpec,
)
from zhizao.bridge.libraries import (
    TEXT as TEXT_KIND,
)
from zhizao.bridge.models import MatchStatus, Provider, Solution
from zhizao.core.models import IndustryCluster, Region, RegionLevel
from zhizao.diagnosis.questionnaire import load_questionnaire
from zhizao.enterprises.models import Enterprise

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE_INPUT = {"class": "form-control", "type": "date"}
NUMBER = {"class": "form-control", "inputmode": "decimal", "step": "0.01"}

# GB/T 4754-2017 国民经济行业分类: the manufacturing divisions (门类 C, 大类 13—43).
DIVISION_NAMES = {
    "13": "农副食品加工业",
    "14": "食品制造业",
    "15": "酒、饮料和精制茶制造业",
    "16": "烟草制品业",
    "17": "纺织业",
    "18": "纺织服装、服饰业",
    "19": "皮革、毛皮、羽毛及其制品和制鞋业",
    "20": "木材加工和木、竹、藤、棕、草制品业",
    "21": "家具制造业",
    "22": "造纸和纸制品业",
    "23": "印刷和记录媒介复制业",
    "24": "文教、工美、体育和娱乐用品制造业",
    "25": "石油、煤炭及其他燃料加工业",
    "26": "化学原料和化学制品制造业",
    "27": "医药制造业",
    "28": "化学纤维制造业",
    "29": "橡胶和塑料制品业",
    "30": "非金属矿物制品业",
    "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业",
    "33": "金属制品业",
    "34": "通用设备制造业",
    "35": "专用设备制造业",
    "36": "汽车制造业",
    "37": "铁路、船舶、航空航天和其他运输设备制造业",
    "38": "电气机械和器材制造业",
    "39": "计算机、通信和其他电子设备制造业",
    "40": "仪器仪表制造业",
    "41": "其他制造业",
    "42": "废弃资源综合利用业",
    "43": "金属制品、机械和设备修理业",
}
# The kinds whose import note also helps on a form (the others' notes speak of cells and sheets).
NOTED_KINDS = {TEXT_KIND, LONG_TEXT, INT, DECIMAL, PERCENT, RATING, ENTERPRISE, USER, DATE}
RESULT_ROWS = 4  # empty rows of the before/after grid besides those filled in


def subdomain_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """The maturity model's sub-domains grouped by element (人员, 技术, 资源, 制造), as the
    questionnaire in force names them: [(element, [(code, name), …]), …]."""
    q = load_questionnaire()
    groups = []
    for element in q.elements:
        codes = [
            (code, s.name)
            for domain in element.domains
            for code in q.domains[domain].subdomains
            if (s := q.subdomains[code])
        ]
        groups.append((element.name, codes))
    return groups


def subdomain_choices() -> list[tuple[str, str]]:
    return [(code, name) for _, codes in subdomain_groups() for code, name in codes]


class GroupedCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes in a grid that fits a phone, under a heading per group when the choices are
    grouped (bridge/widgets/grouped_checkboxes.html)."""

    template_name = "bridge/widgets/grouped_checkboxes.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        groups: list[dict] = []
        for group, options, _index in context["widget"]["optgroups"]:
            if group is None and groups and groups[-1]["name"] is None:
                groups[-1]["options"].extend(options)
            else:
                groups.append({"name": group, "options": list(options)})
        context["widget"]["groups"] = groups
        return context


def subdomain_field(
    label: str = _("能力子域"), required: bool = False
) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=required,
        choices=[(element, codes) for element, codes in subdomain_groups()],
        widget=GroupedCheckboxes(attrs={"data_codes": True}),
        help_text=_("智能制造能力成熟度模型（GB/T 39116）的能力子域，按要素分组。"),
    )


def _decimal_field(column, model_field, **extra) -> forms.DecimalField:
    return forms.DecimalField(
        label=model_field.verbose_name,
        required=column.required,
        min_value=0,
        max_digits=model_field.max_digits,
        decimal_places=model_field.decimal_places,
        widget=forms.NumberInput(attrs=NUMBER),
        **extra,
    )


class EntryForm(forms.Form):
    """An entry of one library, its fields as the library describes them. Only the city admin
    names a profile's platform account; a provider's solutions and cases name its own provider."""

    def __init__(self, *args, spec: LibrarySpec, user, entry=None, is_admin=False, **kwargs):
        self.spec, self.user, self.entry, self.is_admin = spec, user, entry, is_admin
        if entry is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_of(entry))
        super().__init__(*args, **kwargs)
        self.result_count = 0
        for column in spec.columns:
            field = self._field_for(column)
            if field is not None:
                if column.note and not field.help_text and column.kind in NOTED_KINDS:
                    field.help_text = column.note
                self.fields[column.field] = field
        if RESULTS in {c.kind for c in spec.columns}:
            filled = len((self.initial or {}).get("_results", []))
            posted = self._posted_result_rows()
            self.result_count = max(filled, posted) + RESULT_ROWS
            self._add_result_rows()

    # --- fields ---------------------------------------------------------------------------

    def _field_for(self, column):
        model_field = self.spec.model._meta.get_field(column.field)
        # the model's verbose name is the header, translated into the interface language
        kind, label, required = column.kind, model_field.verbose_name, column.required
        if kind == LONG_TEXT:
            return forms.CharField(
                label=label, required=required, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
            )
        if kind == INT:
            return forms.IntegerField(
                label=label,
                required=required,
                min_value=0,
                widget=forms.NumberInput(attrs={**TEXT, "inputmode": "numeric"}),
            )
        if kind in (DECIMAL, PERCENT):
            return _decimal_field(column, model_field)
        if kind == RATING:
            return _decimal_field(column, model_field, max_value=5)
        if kind == DATE:
            return forms.DateField(
                label=label,
                required=required,
                widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            )
        if kind == BOOL:
            return forms.BooleanField(
                label=label,
                required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
            )
        if kind == CHOICE:
            return forms.ChoiceField(
                label=label,
                required=required,
                choices=list(column.choices.choices),
                initial=model_field.default if isinstance(model_field.default, str) else None,
                widget=forms.Select(attrs=SELECT),
            )
        if kind == CLUSTERS:
            return forms.ModelMultipleChoiceField(
                label=label,
                required=required,
                queryset=IndustryCluster.objects.all(),
                widget=GroupedCheckboxes,
            )
        if kind == REGIONS:
            return forms.ModelMultipleChoiceField(
                label=label,
                required=required,
                queryset=Region.objects.filter(level=RegionLevel.COUNTY),
                widget=GroupedCheckboxes,
            )
        if kind == DIVISIONS:
            return forms.MultipleChoiceField(
                label=label,
                required=required,
                choices=[(code, f"{code} {name}") for code, name in DIVISION_NAMES.items()],
                widget=GroupedCheckboxes,
                help_text=_("GB/T 4754 制造业大类，可多选；不选表示适用于各行业。"),
            )
        if kind == SUBDOMAINS:
            return subdomain_field(label, required)
        if kind == PROVIDER:
            providers = Provider.objects.order_by("name")
            if not self.is_admin:
                providers = providers.filter(maintainers=self.user)
            return forms.ModelChoiceField(
                label=label,
                required=required,
                queryset=providers,
                empty_label=_("（无）") if self.is_admin else None,
                widget=forms.Select(attrs=SELECT),
            )
        if kind == SOLUTION:
            solutions = Solution.objects.select_related("provider").order_by("title")
            if not self.is_admin:
                solutions = solutions.filter(maintainers=self.user)
            return forms.ModelChoiceField(
                label=label,
                required=required,
                queryset=solutions,
                empty_label=_("（无）"),
                widget=forms.Select(attrs=SELECT),
            )
        if kind == ENTERPRISE:
            return forms.CharField(
                label=label, required=required, max_length=18, widget=forms.TextInput(attrs=TEXT)
            )
        if kind == USER:
            if not self.is_admin:
                return None
            return forms.CharField(
                label=label, required=required, max_length=150, widget=forms.TextInput(attrs=TEXT)
            )
        if kind == RESULTS:
            return None  # the grid of rows below
        max_length = getattr(model_field, "max_length", None)
        return forms.CharField(
            label=label,
            required=required,
            max_length=max_length,
            widget=forms.TextInput(attrs=TEXT),
        )

    def _posted_result_rows(self) -> int:
        if not self.is_bound:
            return 0
        count = 0
        while f"result_{count}_name" in self.data:
            count += 1
        return max(count - RESULT_ROWS, 0)

    def _add_result_rows(self):
        rows = (self.initial or {}).get("_results", [])
        for index in range(self.result_count):
            item = rows[index] if index < len(rows) else {}
            for part, label in (
                ("name", _("指标")),
                ("unit", _("单位")),
                ("before", _("改造前")),
                ("after", _("改造后")),
            ):
                name = f"result_{index}_{part}"
                self.fields[name] = forms.CharField(
                    label=_("第 %(value)s 项%(label)s") % {"value": index + 1, "label": label},
                    required=False,
                    max_length=60,
                    initial=item.get(part, ""),
                    widget=forms.TextInput(
                        attrs={
                            **TEXT,
                            "class": "form-control form-control-sm",
                            **({"inputmode": "decimal"} if part in ("before", "after") else {}),
                        }
                    ),
                )

    def result_rows(self):
        return [
            [self[f"result_{index}_{part}"] for part in ("name", "unit", "before", "after")]
            for index in range(self.result_count)
        ]

    def field_groups(self):
        """The form's fields but the results grid, in the library's order."""
        return [self[name] for name in self.fields if not name.startswith("result_")]

    # --- values ---------------------------------------------------------------------------

    @staticmethod
    def initial_of(entry) -> dict:
        from zhizao.bridge.libraries import spec_for

        spec = spec_for(entry)
        initial = {}
        for column in spec.columns:
            value = getattr(entry, column.field, None)
            if column.kind in (CLUSTERS, REGIONS):
                value = list(value.all())
            elif column.kind == ENTERPRISE:
                value = entry.enterprise.uscc if entry.enterprise_id else ""
            elif column.kind == USER:
                value = entry.user.username if entry.user_id else ""
            elif column.kind == RESULTS:
                initial["_results"] = list(value or [])
                continue
            initial[column.field] = value
        return initial

    def clean(self):
        data = super().clean()
        for column in self.spec.columns:
            if column.field not in self.fields:
                continue
            if column.kind == ENTERPRISE and data.get(column.field):
                code = data[column.field].strip().upper()
                enterprise = Enterprise.objects.filter(uscc=code).first()
                if enterprise is None:
                    self.add_error(
                        column.field,
                        _("企业库中没有统一社会信用代码为「%(code)s」的企业。") % {"code": code},
                    )
                data[column.field] = enterprise
            elif column.kind == ENTERPRISE:
                data[column.field] = None
            if column.kind == USER and data.get(column.field):
                username = data[column.field].strip()
                found = get_user_model().objects.filter(username=username).first()
                if found is None:
                    self.add_error(
                        column.field,
                        _("没有用户名为「%(username)s」的账号。") % {"username": username},
                    )
                data[column.field] = found
            elif column.kind == USER:
                data[column.field] = None
        return data

    def values(self) -> dict:
        """The cleaned values as the services take them."""
        data = self.cleaned_data
        values = {}
        for column in self.spec.columns:
            if column.kind == RESULTS:
                values[column.field] = self._results()
            elif column.field in self.fields:
                value = data.get(column.field)
                if column.kind in (CLUSTERS, REGIONS, SUBDOMAINS, DIVISIONS):
                    value = list(value or [])
                values[column.field] = value
        return values

    def _results(self) -> list[dict]:
        rows = []
        for index in range(self.result_count):
            item = {
                part: (self.cleaned_data.get(f"result_{index}_{part}") or "").strip()
                for part in ("name", "unit", "before", "after")
            }
            if any(item.values()):
                rows.append(item)
        return rows


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
        error_messages={"required": _("请填写原因。")},
    )


# --- needs -----------------------------------------------------------------------------------


class NeedForm(forms.Form):
    """A need as an enterprise user posts it; the district is its enterprise's."""

    enterprise = forms.ModelChoiceField(
        label=_("发布企业"), queryset=Enterprise.objects.none(), empty_label=None,
        widget=forms.Select(attrs=SELECT),
    )  # fmt: skip
    title = forms.CharField(
        label=_("需求标题"),
        max_length=200,
        widget=forms.TextInput(attrs={**TEXT, "placeholder": _("例如：印染车间MES系统建设")}),
    )
    description = forms.CharField(
        label=_("需求描述"),
        widget=forms.Textarea(
            attrs={
                **TEXT,
                "rows": 5,
                "placeholder": _("现状、想解决的问题、期望达到的效果，越具体匹配越准。"),
            }
        ),
    )
    cluster = forms.ModelChoiceField(
        label=_("产业集群"),
        queryset=IndustryCluster.objects.all(),
        required=False,
        empty_label=_("（不限）"),
        widget=forms.Select(attrs=SELECT),
    )
    budget_min = forms.DecimalField(
        label=_("预算下限（万元）"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    budget_max = forms.DecimalField(
        label=_("预算上限（万元）"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs=NUMBER),
    )
    deadline = forms.DateField(
        label=_("期望完成日期"),
        required=False,
        widget=forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
    )

    def __init__(self, *args, enterprises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["subdomains"] = subdomain_field(_("涉及的能力子域"))
        # the order on the page: who, what, where in the model, money and time
        order = ["enterprise", "title", "description", "cluster", "subdomains"]
        self.order_fields([*order, "budget_min", "budget_max", "deadline"])

    def clean(self):
        data = super().clean()
        low, high = data.get("budget_min"), data.get("budget_max")
        if low is not None and high is not None and low > high:
            self.add_error("budget_max", _("预算上限不能小于下限。"))
        return data


class GapsForm(forms.Form):
    """The gaps of a diagnosis report, to be turned into needs."""

    requirements = forms.MultipleChoiceField(
        label=_("差距项"), widget=forms.CheckboxSelectMultiple, error_messages={
            "required": _("请至少选择一项差距。")
        },
    )  # fmt: skip

    def __init__(self, *args, gaps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirements"].choices = [
            (gap.requirement.id, gap.requirement.text) for gap in gaps
        ]


# --- matches ---------------------------------------------------------------------------------


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("推进到"), widget=forms.Select(attrs=SELECT))
    contract_value = forms.DecimalField(
        label=_("签约金额（万元）"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=_("推进到“已签约”时必填。"),
    )
    comment = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={**TEXT, "rows": 2}),
    )

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s, MatchStatus(s).label) for s in statuses]

    def clean(self):
        data = super().clean()
        if data.get("status") == MatchStatus.SIGNED and data.get("contract_value") is None:
            self.add_error("contract_value", _("签约时请填写签约金额（万元）。"))
        return data
