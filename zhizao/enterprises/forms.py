from django import forms

from zhizao.enterprises.fields import REPORT_FIELDS
from zhizao.enterprises.models import YearlyReport
from zhizao.enterprises.services import check_values


class ReportForm(forms.ModelForm):
    """The yearly report as an enterprise fills it in; the checks are the service's, so the
    form, the import and the API refuse the same values with the same words."""

    class Meta:
        model = YearlyReport
        fields = [*(f.name for f in REPORT_FIELDS), "comment"]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, enterprise, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.enterprise, self.year = enterprise, year
        self.warnings: dict[str, str] = {}
        for name, field in self.fields.items():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-control"
                if name != "comment":
                    field.widget.attrs["inputmode"] = "decimal"
                    field.widget.attrs.setdefault("min", "0")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        values = {f.name: cleaned.get(f.name) for f in REPORT_FIELDS}
        check = check_values(self.enterprise, self.year, values, cleaned.get("comment", ""))
        self.warnings = check.warnings
        for name, message in check.errors.items():
            self.add_error(name if name in self.fields else None, message)
        return cleaned

    def values(self) -> dict:
        return {f.name: self.cleaned_data[f.name] for f in REPORT_FIELDS}


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label="意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class YearLockForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="说明",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
