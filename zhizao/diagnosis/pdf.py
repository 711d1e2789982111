"""The self-assessment report and the expert diagnosis as PDF files.

Why fpdf2 and Noto Sans SC from PyPI: the PDF must show Chinese on any reader, so the font goes
inside the file. fpdf2 (pure Python) embeds a subset of an OpenType font — only the glyphs the
report uses, some tens of kilobytes — and the font comes from the PyPI package
pylopdf-fonts-zh-cn (Noto Sans SC Regular, SIL Open Font License), so `pip install` on a fresh
machine brings everything; no system font, no external program. (reportlab's built-in CID font
STSong-Light is not embedded: a reader without that font shows boxes or substitutes.)

The charts are drawn as vector graphics with the same figures as the page's ECharts charts, and
each has its table beside it. A report is a list of sections, each a function drawing on the
page; the recommendations from the resource library (solutions, providers and cases by gap
domain) become one more section once that library exists."""

import math
from collections.abc import Callable
from decimal import Decimal
from functools import cache

from django.http import HttpResponse
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from zhizao.core.downloads import attachment_response
from zhizao.diagnosis.pdf_font import IdentityOutput, use_cid_codes
from zhizao.diagnosis.report import AssessmentReport, ScoredReport

FONT = "NotoSansSC"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
PRIMARY = (13, 110, 253)
LIGHT = (221, 231, 243)  # the tables' header colour on the pages (zhizao.css)
GREY = (173, 181, 189)
WARNING = (220, 53, 69)


@cache
def font_path() -> str:
    from pylopdf_fonts_zh_cn import sans_path

    return str(sans_path())


def level_text(label: str, name: str) -> str:
    """二级 规范级; 未达一级 once (its label and name are the same)."""
    return label if label == name else f"{label} {name}"


def _fmt(value, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{Decimal(value):.{places}f}"


class ReportPDF(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.add_font(FONT, "", font_path())
        # The subset keeps the whole font's bounding boxes (still true of any subset): working
        # them out again from each glyph's CFF outline took most of the time a report took.
        for font in self.fonts.values():
            font.ttfont.recalcBBoxes = False
            # Codes = CIDs, so the text layer reads back in every reader (see pdf_font).
            use_cid_codes(font)
        self.set_font(FONT, size=10)
        self.set_auto_page_break(auto=True, margin=16)
        self.set_margins(16, 16, 16)
        self.set_title(title)
        self.set_creator("智造平台")
        self.set_lang("zh-CN")
        self.alias_nb_pages()

    def pdf_bytes(self) -> bytes:
        return bytes(self.output(output_producer_class=IdentityOutput))

    def footer(self):
        self.set_y(-11)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"{self.report_title} · 第 {self.page_no()} 页，共 {{nb}} 页", align="C")
        self.set_text_color(*INK)

    # --- building blocks ------------------------------------------------------------------

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 60:
            self.add_page()
        self.ln(3)
        self.set_font(FONT, size=13)
        self.set_text_color(*PRIMARY)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*PRIMARY)
        self.set_line_width(0.4)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def paragraph(self, text: str, size: float = 10, color=INK) -> None:
        self.set_font(FONT, size=size)
        self.set_text_color(*color)
        self.multi_cell(
            0, size * 0.5, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(*INK)
        self.set_font(FONT, size=10)

    def grid(self, headers: list[str], rows: list[list[str]], widths: tuple, aligns=None) -> None:
        self.set_font(FONT, size=9)
        # Charts leave their colours set: the table draws thin grey lines on white.
        self.set_draw_color(*GREY)
        self.set_fill_color(255, 255, 255)
        self.set_line_width(0.2)
        head = FontFace(emphasis="", fill_color=LIGHT)
        with self.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            headings_style=head,
            line_height=5,
            text_align=aligns or "CENTER",
            wrapmode=WrapMode.CHAR,
            borders_layout="ALL",
            padding=1,
        ) as table:
            row = table.row()
            for header in headers:
                row.cell(header)
            for values in rows:
                row = table.row()
                for value in values:
                    row.cell(str(value))
        self.set_font(FONT, size=10)
        self.ln(2)

    def ensure_room(self, height: float) -> None:
        if self.get_y() + height > self.h - self.b_margin:
            self.add_page()


# --- charts -----------------------------------------------------------------------------


def radar(pdf: ReportPDF, x: float, y: float, size: float, items: list, top: float) -> None:
    """A radar chart of `items` [(name, value or None)] on 0…top, in a size × size box."""
    cx, cy, radius = x + size / 2, y + size / 2, size / 2 - 11
    n = len(items)

    def point(i: int, r: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    pdf.set_line_width(0.15)
    pdf.set_draw_color(*GREY)
    for ring in range(1, int(top) + 1):
        pdf.polygon([point(i, radius * ring / top) for i in range(n)], style="D")
    for i in range(n):
        pdf.line(cx, cy, *point(i, radius))
    pdf.set_font(FONT, size=7)
    pdf.set_text_color(*MUTED)
    for ring in range(1, int(top) + 1):
        pdf.text(cx + 0.8, cy - radius * ring / top + 2.2, str(ring))
    values = [(v if v is not None else 0) for _, v in items]
    pdf.set_draw_color(*PRIMARY)
    pdf.set_fill_color(182, 212, 254)
    pdf.set_line_width(0.5)
    pdf.polygon([point(i, radius * float(v) / top) for i, v in enumerate(values)], style="DF")
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*INK)
    for i, (name, _) in enumerate(items):
        px, py = point(i, radius + 5)
        width = pdf.get_string_width(name)
        pdf.text(px - width / 2, py + 1.3, name)
    pdf.set_font(FONT, size=10)


def bars(
    pdf: ReportPDF,
    x: float,
    y: float,
    width: float,
    height: float,
    items: list,
    top: float,
    line: float | None = None,
) -> None:
    """Vertical bars of `items` [(label, value or None, highlighted)] on 0…top, with an optional
    dashed line (the threshold), in a width × height box."""
    base, chart_h = y + height - 8, height - 14
    pdf.set_line_width(0.2)
    pdf.set_draw_color(*GREY)
    pdf.line(x, base, x + width, base)
    slot = width / max(len(items), 1)
    for i, (label, value, highlighted) in enumerate(items):
        bar_h = chart_h * float(value or 0) / top
        left = x + i * slot + slot * 0.2
        pdf.set_fill_color(*(PRIMARY if highlighted else GREY))
        if bar_h > 0:
            pdf.rect(left, base - bar_h, slot * 0.6, bar_h, style="F")
        pdf.set_font(FONT, size=8)
        pdf.set_text_color(*INK)
        text = _fmt(value)
        pdf.text(left + slot * 0.3 - pdf.get_string_width(text) / 2, base - bar_h - 1.2, text)
        pdf.set_text_color(*MUTED)
        pdf.text(left + slot * 0.3 - pdf.get_string_width(label) / 2, base + 4.5, label)
    if line is not None:
        level = base - chart_h * line / top
        pdf.set_draw_color(*WARNING)
        pdf.set_dash_pattern(dash=1.2, gap=1)
        pdf.line(x, level, x + width, level)
        pdf.set_dash_pattern()
        pdf.set_font(FONT, size=7)
        pdf.set_text_color(*WARNING)
        pdf.text(x + width - 14, level - 1, f"达标线 {line:g}")
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=10)


# --- sections ---------------------------------------------------------------------------


def _summary(pdf: ReportPDF, report: ScoredReport, heading: str, lines: list[str]) -> None:
    pdf.set_font(FONT, size=16)
    pdf.multi_cell(0, 9, heading, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    for line in lines:
        pdf.paragraph(line, size=9.5, color=MUTED)
    pdf.ln(3)
    pdf.set_fill_color(240, 245, 252)
    top = pdf.get_y()
    pdf.rect(pdf.l_margin, top, pdf.epw, 20, style="F")
    pdf.set_xy(pdf.l_margin + 4, top + 3)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.cell(0, 4, "智能制造能力成熟度（总分 S · 等级）", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_x(pdf.l_margin + 4)
    pdf.set_font(FONT, size=18)
    pdf.set_text_color(*PRIMARY)
    pdf.cell(0, 10, f"{_fmt(report.total)} · {level_text(report.level_label, report.level_name)}")
    pdf.set_text_color(*INK)
    pdf.set_y(top + 23)
    pdf.set_font(FONT, size=10)
    if report.questionnaire_changed:
        pdf.paragraph(
            f"本次评估按问卷版本 {report.record.questionnaire_version} 作答，现行问卷为 "
            f"{report.questionnaire.version}；得分为提交时的计算结果，差距项按现行问卷列出。",
            size=8.5,
            color=MUTED,
        )


def _levels(pdf: ReportPDF, report: ScoredReport) -> None:
    q = report.questionnaire
    pdf.heading("各等级得分")
    pdf.paragraph(
        f"每级得分为该级各能力子域得分按权重（{report.industry_type}）的加权平均。总分 S 自一级起逐级累加，"
        f"至第一个低于 {q.threshold:g} 的等级（含）为止。",
        size=8.5,
        color=MUTED,
    )
    pdf.ln(1)
    pdf.ensure_room(60)
    top = pdf.get_y()
    items = [
        (lv.label, report.level_scores.get(lv.number), lv.number in report.counted_levels)
        for lv in q.levels
    ]
    bars(pdf, pdf.l_margin, top, 84, 56, items, 1.0, float(q.threshold))
    pdf.set_xy(pdf.l_margin + 92, top + 2)
    rows = [
        [
            f"{lv.label} {lv.name}",
            _fmt(report.level_scores.get(lv.number), 4),
            "计入" if lv.number in report.counted_levels else "不计入",
        ]
        for lv in q.levels
    ]
    _table_at(pdf, pdf.l_margin + 92, ["等级", "得分", "计入 S"], rows, (34, 22, 20))
    pdf.set_y(max(pdf.get_y(), top + 58))


def _table_at(pdf: ReportPDF, x: float, headers, rows, widths) -> None:
    left = pdf.l_margin
    pdf.set_left_margin(x)
    pdf.set_x(x)
    pdf.grid(headers, rows, widths)
    pdf.set_left_margin(left)


def _domains(pdf: ReportPDF, report: ScoredReport) -> None:
    q = report.questionnaire
    pdf.heading("各能力域得分")
    pdf.paragraph(
        "每个能力域按同一方法单独计分（0–5 分）；全部回答「不适用」的能力域没有得分。",
        size=8.5,
        color=MUTED,
    )
    pdf.ensure_room(92)
    top = pdf.get_y()
    items = [(name, report.domain_scores.get(name)) for name in q.domains]
    radar(pdf, pdf.l_margin - 2, top, 92, items, float(len(q.levels)))
    rows = [
        [domain.element, name, _fmt(report.domain_scores.get(name))]
        for name, domain in q.domains.items()
    ]
    _table_at(pdf, pdf.l_margin + 96, ["要素", "能力域", "得分"], rows, (20, 30, 20))
    pdf.set_y(max(pdf.get_y(), top + 94))


def _comparison(pdf: ReportPDF, report: AssessmentReport) -> None:
    enterprise = report.record.enterprise
    first, last = report.comparison_years
    pdf.heading("与区县、产业集群比较")
    pdf.paragraph(
        f"中位数取 {first}—{last} 年各企业最近一次已提交自评估的总分 S（含本企业）。",
        size=8.5,
        color=MUTED,
    )
    rows = [["本企业", _fmt(report.total), "—"]]
    rows.append(
        [
            f"{enterprise.region.name}中位数",
            _fmt(report.district_median),
            str(report.district_count),
        ]
    )
    if enterprise.cluster_id:
        rows.append(
            [
                f"{enterprise.cluster.name}集群中位数",
                _fmt(report.cluster_median),
                str(report.cluster_count),
            ]
        )
    pdf.grid(["对象", "总分 S", "企业数"], rows, (60, 30, 30))


def _history(pdf: ReportPDF, report: AssessmentReport) -> None:
    pdf.heading("历次自评估")
    rows = [
        [
            f"{p.year}年",
            _fmt(p.total),
            p.level_label,
            f"{timezone.localtime(p.submitted_at):%Y-%m-%d}",
        ]
        for p in report.history
    ]
    pdf.grid(["评估年度", "总分 S", "成熟度等级", "提交日期"], rows, (36, 30, 36, 40))


def _gaps(pdf: ReportPDF, report: ScoredReport) -> None:
    q = report.questionnaire
    target = min(report.level + 1, len(q.levels))
    pdf.heading(f"差距项（{q.level_label(target)} {q.level_name(target)}未全部满足的要求）")
    if not report.gaps:
        pdf.paragraph("没有差距项：下一级的要求均已全部满足或不适用。", size=9.5)
        return
    pdf.paragraph("按所属能力子域的权重从高到低排列。", size=8.5, color=MUTED)
    rows = [
        [
            gap.requirement.id,
            _where(gap.subdomain),
            gap.requirement.text,
            gap.answer,
            _fmt(gap.weight),
        ]
        for gap in report.gaps
    ]
    pdf.grid(
        ["编号", "能力域 · 子域", "要求", "作答", "权重"],
        rows,
        (18, 30, 92, 20, 18),
        aligns=("CENTER", "CENTER", "LEFT", "CENTER", "CENTER"),
    )


def _where(subdomain) -> str:
    """生产 · 采购; a domain with one sub-domain of the same name once (数据)."""
    if subdomain.name == subdomain.domain:
        return subdomain.name
    return f"{subdomain.domain} · {subdomain.name}"


def _findings(pdf: ReportPDF, report: ScoredReport) -> None:
    diagnosis = report.record
    pdf.heading("各能力域诊断发现")
    rows = [
        [name, text]
        for name in report.questionnaire.domains
        if (text := diagnosis.findings.get(name))
    ]
    pdf.grid(["能力域", "诊断发现"], rows, (30, 148), aligns=("CENTER", "LEFT"))


def _proposal(pdf: ReportPDF, report: ScoredReport) -> None:
    diagnosis = report.record
    pdf.heading("改造方案")
    investment = (
        "—"
        if diagnosis.estimated_investment is None
        else f"{diagnosis.estimated_investment:g} 万元"
    )
    rows = [
        ["主要措施", diagnosis.measures],
        ["预计投资", investment],
        ["预期成效", diagnosis.expected_effect or "—"],
    ]
    pdf.grid(["项目", "内容"], rows, (30, 148), aligns=("CENTER", "LEFT"))


Section = Callable[[ReportPDF, ScoredReport], None]

# The order of a report's sections after its summary. Recommendations go after the gaps.
ASSESSMENT_SECTIONS: list[Section] = [_levels, _domains, _comparison, _history, _gaps]
DIAGNOSIS_SECTIONS: list[Section] = [_levels, _domains, _findings, _gaps, _proposal]


def assessment_title(assessment) -> str:
    """The report's title, also its file name."""
    return f"{assessment.enterprise.name}{assessment.year}年智能制造能力成熟度自评估报告"


def diagnosis_title(diagnosis) -> str:
    return f"{diagnosis.enterprise.name}智能制造现场诊断报告"


def assessment_pdf(report: AssessmentReport) -> bytes:
    a = report.record
    enterprise = a.enterprise
    pdf = ReportPDF(assessment_title(a))
    pdf.add_page()
    _summary(
        pdf,
        report,
        pdf.report_title,
        [
            f"企业：{enterprise.name}（{enterprise.region.name}"
            + (f" · {enterprise.cluster.name}" if enterprise.cluster_id else "")
            + f"）  统一社会信用代码：{enterprise.uscc}",
            f"行业类型：{report.industry_type}  问卷版本：{a.questionnaire_version}  "
            f"提交日期：{timezone.localtime(a.submitted_at):%Y-%m-%d}",
            f"依据：{report.questionnaire.basis}",
        ],
    )
    for section in ASSESSMENT_SECTIONS:
        section(pdf, report)
    return pdf.pdf_bytes()


def diagnosis_pdf(report: ScoredReport) -> bytes:
    d = report.record
    enterprise = d.enterprise
    pdf = ReportPDF(diagnosis_title(d))
    pdf.add_page()
    visit = f"{d.visit_date:%Y-%m-%d}" if d.visit_date else "—"
    _summary(
        pdf,
        report,
        pdf.report_title,
        [
            f"企业：{enterprise.name}（{enterprise.region.name}）  统一社会信用代码：{enterprise.uscc}",
            f"诊断专家（服务商）：{d.diagnostician}  诊断日期：{visit}  状态：{d.get_status_display()}",
            f"行业类型：{report.industry_type}  问卷版本：{d.questionnaire_version}",
        ],
    )
    for section in DIAGNOSIS_SECTIONS:
        section(pdf, report)
    return pdf.pdf_bytes()


def pdf_response(content: bytes, filename: str, ascii_fallback: str) -> HttpResponse:
    """The report as a download (a phone would otherwise open it in the browser tab, without a
    way back), named in Chinese, with an ASCII name for older clients."""
    return attachment_response(content, "application/pdf", filename, ascii_fallback)
