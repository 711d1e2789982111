from django import forms
from django.utils.translation import gettext_lazy as _

from zhizao.enterprises.checks import software_label
from zhizao.enterprises.fields import NUMERIC_FIELDS, REPORT_FIELDS
from zhizao.enterprises.models import YearlyReport
from zhizao.enterprises.services import check_values


class ReportForm(forms.ModelForm):
    """The yearly report as an enterprise fills it in; the checks are the service's, so the
    form, the import and the API refuse the same values with the same words. A draft may be
    saved incomplete; submitting (`submitting=True`) needs every figure and a comment on each
    year-on-year jump."""

    class Meta:
        model = YearlyReport
        fields = [*(f.name for f in REPORT_FIELDS), "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, enterprise, year, submitting=False, previous=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise, self.year, self.submitting = enterprise, year, submitting
        self.previous = previous or {}
        self.warnings: dict[str, str] = {}
        numeric = {f.name for f in NUMERIC_FIELDS}
        for name, field in self.fields.items():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"
                field.label = software_label(name)
            else:
                field.widget.attrs["class"] = "form-control"
                if name in numeric:
                    field.required = False  # required on submit, by the checks
                    field.widget.attrs["inputmode"] = "decimal"
                    field.widget.attrs.setdefault("min", "0")
                    field.widget.attrs["aria-describedby"] = f"previous-{name}"

    @property
    def error_fields(self) -> list:
        """The fields with an error, in the form's order (for the summary above the form)."""
        return [self[name] for name in self.fields if name in self.errors]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = {f.name: cleaned.get(f.name) for f in REPORT_FIELDS}
        check = check_values(
            self.enterprise,
            self.year,
            values,
            cleaned.get("comment", ""),
            complete=self.submitting,
        )
        self.warnings = check.warnings
        for name, message in check.errors.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned

    def values(self) -> dict:
        return {f.name: self.cleaned_data[f.name] for f in REPORT_FIELDS}


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ScaleStatusForm(forms.Form):
    """The city admin's 是否规上 for one enterprise and year."""

    enterprise = forms.IntegerField(widget=forms.HiddenInput)
    year = forms.IntegerField(widget=forms.HiddenInput)
    above_scale = forms.TypedChoiceField(
        label=_("规上状态"),
        choices=[("1", _("规上企业")), ("0", _("规下企业"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("说明"), required=False, max_length=200)


class YearLockForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
