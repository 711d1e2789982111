"""Forms of the diagnosis pages. They only parse what a person typed; every rule (who may act,
what is complete, which expert must stand aside) is the services' and comes back as their
Chinese message."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhizao.core.deadlines import default_due_date
from zhizao.core.roles import Role
from zhizao.diagnosis.models import IndustryType
from zhizao.diagnosis.questionnaire import Questionnaire


class StartForm(forms.Form):
    industry_type = forms.ChoiceField(
        label=_("行业类型"),
        choices=IndustryType.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_(
            "离散型：机械、汽车零部件、电子、纺织服装等装配或加工为主的企业；流程型：印染、化工、医药、黄酒、冶金、建材等连续生产的企业。两类的能力子域权重不同。"
        ),
    )
    year = forms.TypedChoiceField(label=_("评估年度"), coerce=int)

    def __init__(self, *args, today: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = (today or timezone.localdate()).year
        # This year's assessment, or last year's for an enterprise catching up early in a year.
        self.fields["year"].choices = [
            (y, _("%(y)s年") % {"y": y}) for y in (this_year, this_year - 1)
        ]
        self.fields["year"].initial = this_year


def diagnosticians():
    """The experts and providers in the register. They belong to no district, so the scoping
    function (which narrows users by district) would hide them from a district officer who must
    choose one; the register of who may diagnose is not private."""
    return (
        get_user_model()
        .objects.filter(role__in=[Role.EXPERT, Role.PROVIDER], is_active=True)
        .order_by("role", "full_name", "username")
    )


class DiagnosticianField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj}（{obj.get_role_display()}）"


class AssignForm(forms.Form):
    diagnostician = DiagnosticianField(
        label=_("诊断专家或服务商"), queryset=diagnosticians(), empty_label=_("请选择")
    )
    due_on = forms.DateField(
        label=_("诊断截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diagnostician"].queryset = diagnosticians()
        self.fields["due_on"].initial = default_due_date()


class RecordForm(forms.Form):
    """The diagnostician's record besides the answers and the findings (which the view reads
    from the questionnaire's requirement ids and domains)."""

    visit_date = forms.DateField(
        label=_("诊断日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    industry_type = forms.ChoiceField(
        label=_("行业类型"),
        choices=IndustryType.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    measures = forms.CharField(
        label=_("改造方案：主要措施"), widget=forms.Textarea(attrs={"rows": 4})
    )
    estimated_investment = forms.DecimalField(
        label=_("改造方案：预计投资（万元）"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
    )
    expected_effect = forms.CharField(
        label=_("改造方案：预期成效"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def finding_field(index: int) -> str:
    """The form field of a domain's findings: by position, since domain names are Chinese."""
    return f"finding-{index}"


def findings_from(data, q: Questionnaire) -> dict[str, str]:
    return {
        name: data.get(finding_field(index), "")
        for index, name in enumerate(q.domains, start=1)
        if data.get(finding_field(index), "").strip()
    }


def answers_from(data, q: Questionnaire) -> dict[str, str]:
    """The answers a form posted: the fields named by a requirement id, as given (the services
    refuse a label that is not allowed, naming it)."""
    return {rid: data[rid] for rid in q.by_id if rid in data}
