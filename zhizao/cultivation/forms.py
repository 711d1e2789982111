"""The cultivation pages' forms: they parse what a person types (rows of text, a grid of figures)
into the shapes the services take; the rules themselves, and their Chinese messages, are the
services'."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from zhizao.core.models import IndustryCluster, Region
from zhizao.cultivation.models import TitleType
from zhizao.cultivation.services import KEY_FIGURES

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
DATE = {"class": "form-control", "type": "date"}
# 名称,分值,说明 — Chinese and ASCII commas both separate.
_COMMA = re.compile(r"\s*[,，]\s*")
# 名称：说明 — Chinese and ASCII colons both separate.
_COLON = re.compile(r"\s*[:：]\s*")
OTHER_ATTACHMENT = _("其他材料")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class BatchForm(forms.Form):
    title_type = forms.ModelChoiceField(
        label=_("称号类型"),
        queryset=TitleType.objects.all(),
        empty_label=_("请选择"),
        widget=forms.Select(attrs=SELECT),
    )
    year = forms.IntegerField(
        label=_("年度"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT)
    )
    number = forms.IntegerField(
        label=_("批次"), min_value=1, max_value=99, widget=forms.NumberInput(attrs=TEXT)
    )
    opens_on = forms.DateField(
        label=_("开始申报日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    closes_on = forms.DateField(
        label=_("截止申报日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    criteria = forms.CharField(
        label=_("评分细则"),
        required=False,
        help_text=_(
            "每行一项：名称,分值,说明（说明可省略），各项分值合计 100；无须专家评审的类型可不填。"
        ),
        widget=forms.Textarea(
            attrs={
                **TEXT,
                "rows": 5,
                "placeholder": _("智能化水平,40,装备与系统集成水平\n建设成效,40\n示范推广价值,20"),
            }
        ),
    )
    required_attachments = forms.CharField(
        label=_("必备附件"),
        required=False,
        help_text=_("每行一项，例如：申报书、财务审计报告。"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "placeholder": _("申报书\n财务审计报告")}),
    )
    notes = forms.CharField(
        label=_("申报说明"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 3})
    )

    def clean_criteria(self) -> list[dict]:
        items = []
        for position, line in enumerate(_lines(self.cleaned_data["criteria"]), start=1):
            parts = _COMMA.split(line, maxsplit=2)
            if len(parts) < 2:
                raise forms.ValidationError(
                    _("第 %(position)s 行「%(line)s」应为：名称,分值,说明。")
                    % {"position": position, "line": line}
                )
            items.append(
                {"name": parts[0], "max": parts[1], "note": parts[2] if len(parts) > 2 else ""}
            )
        return items

    def clean_required_attachments(self) -> list[str]:
        return _lines(self.cleaned_data["required_attachments"])


class ApplicationCreateForm(forms.Form):
    """Who applies: one of the user's enterprises, or (for a region's title) a district and an
    industry cluster."""

    project_name = forms.CharField(
        label=_("项目名称"), max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    enterprise = forms.ModelChoiceField(
        label=_("申报企业"), queryset=None, empty_label=None, widget=forms.Select(attrs=SELECT)
    )
    region = forms.ModelChoiceField(
        label=_("申报区县"), queryset=None, empty_label=None, widget=forms.Select(attrs=SELECT)
    )
    cluster = forms.ModelChoiceField(
        label=_("产业集群"),
        queryset=IndustryCluster.objects.all(),
        required=False,
        empty_label=_("（不限集群）"),
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, held_by_region: bool, enterprises=None, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if held_by_region:
            del self.fields["enterprise"]
            self.fields["region"].queryset = (
                regions if regions is not None else Region.objects.none()
            )
        else:
            del self.fields["region"]
            del self.fields["cluster"]
            self.fields["enterprise"].queryset = enterprises


def scenes_text(scenes: list[dict]) -> str:
    return "\n".join(
        f"{s['name']}：{s['description']}" if s.get("description") else s["name"]
        for s in scenes or []
    )


class ApplicationForm(forms.Form):
    """The draft as the applicant edits it; the key figures are a grid of before/after inputs."""

    project_name = forms.CharField(
        label=_("项目名称"), max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    summary = forms.CharField(
        label=_("建设内容简介"), required=False, widget=forms.Textarea(attrs={**TEXT, "rows": 4})
    )
    investment = forms.DecimalField(
        label=_("项目投资（万元）"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**TEXT, "inputmode": "decimal", "step": "0.01"}),
    )
    scenes = forms.CharField(
        label=_("建设场景"),
        required=False,
        help_text=_("每行一个场景：名称：说明（说明可省略）。"),
        widget=forms.Textarea(attrs={**TEXT, "rows": 4}),
    )

    def __init__(self, *args, application=None, **kwargs):
        if application is not None and not args and "data" not in kwargs:
            kwargs.setdefault("initial", self.initial_of(application))
        super().__init__(*args, **kwargs)
        for figure in KEY_FIGURES:
            for side, label in (("before", _("改造前")), ("after", _("改造后"))):
                self.fields[f"kf_{figure.key}_{side}"] = forms.CharField(
                    label=f"{figure.label}（{figure.unit}）{label}",
                    required=False,
                    max_length=30,
                    widget=forms.TextInput(attrs={**TEXT, "inputmode": "decimal"}),
                )

    @staticmethod
    def initial_of(application) -> dict:
        initial = {
            "project_name": application.project_name,
            "summary": application.summary,
            "investment": application.investment,
            "scenes": scenes_text(application.scenes),
        }
        for key, sides in (application.key_figures or {}).items():
            for side in ("before", "after"):
                initial[f"kf_{key}_{side}"] = (sides or {}).get(side, "")
        return initial

    def figure_rows(self):
        """(figure, before field, after field) for the grid."""
        return [
            (figure, self[f"kf_{figure.key}_before"], self[f"kf_{figure.key}_after"])
            for figure in KEY_FIGURES
        ]

    def scene_list(self) -> list[dict]:
        scenes = []
        for line in _lines(self.cleaned_data["scenes"]):
            parts = _COLON.split(line, maxsplit=1)
            scenes.append({"name": parts[0], "description": parts[1] if len(parts) > 1 else ""})
        return scenes

    def key_figures(self) -> dict:
        return {
            figure.key: {
                side: self.cleaned_data[f"kf_{figure.key}_{side}"] for side in ("before", "after")
            }
            for figure in KEY_FIGURES
        }


class AttachmentForm(forms.Form):
    requirement = forms.ChoiceField(label=_("材料类别"), widget=forms.Select(attrs=SELECT))
    # Empty files are refused by the service, with its own words.
    file = forms.FileField(
        label=_("文件"),
        allow_empty_file=True,
        help_text=_("PDF、图片或 Office 文件，单个不超过 20 MB。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, batch, **kwargs):
        super().__init__(*args, **kwargs)
        names = [*batch.required_attachments, OTHER_ATTACHMENT]
        self.fields["requirement"].choices = [(n, n) for n in names]


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(
        label=_("摘牌日期"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("摘牌原因"), max_length=300, widget=forms.TextInput(attrs=TEXT)
    )


class PublishForm(forms.Form):
    year = forms.IntegerField(
        label=_("认定年度"), min_value=2000, max_value=2100, widget=forms.NumberInput(attrs=TEXT)
    )
    title_type = forms.ModelChoiceField(
        label=_("称号类型"),
        queryset=TitleType.objects.all(),
        required=False,
        empty_label=_("全部类型"),
        widget=forms.Select(attrs=SELECT),
    )
