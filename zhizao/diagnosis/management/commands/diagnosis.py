import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from zhizao.core.xlsx import display_width
from zhizao.diagnosis.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
    questionnaire_path,
    read_questionnaire,
)
from zhizao.diagnosis.scoring import AnswerError, score_answers


def _listed(title: str, errors: list[str]) -> CommandError:
    lines = "\n".join(f"  - {e}" for e in errors)
    return CommandError(f"{title}（共 {len(errors)} 处）：\n{lines}")


class Command(BaseCommand):
    help = "智能制造能力成熟度问卷：打印问卷（questionnaire）、为答案文件评分（score）、检查问卷文件（check）。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{questionnaire,score,check}"
        )
        show = actions.add_parser(
            "questionnaire", help="打印问卷：每条要求的编号、要素、能力域、能力子域、等级和内容。"
        )
        show.add_argument("--format", choices=["json", "table"], default="table")
        show.add_argument("--file", help="问卷文件；默认为平台使用的问卷。")
        score = actions.add_parser(
            "score",
            help='为答案文件评分。答案文件（YAML 或 JSON）：{"industry_type": "离散型", "answers": {"要求编号": "大部分满足", …}}。',
        )
        score.add_argument("answers", help="答案文件路径。")
        score.add_argument("--format", choices=["json", "table"], default="json")
        score.add_argument("--file", help="问卷文件；默认为平台使用的问卷。")
        check = actions.add_parser("check", help="检查问卷文件，不写入任何数据。")
        check.add_argument("file", nargs="?", help="问卷文件；默认为平台使用的问卷。")

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def _questionnaire(self, file: str | None) -> Questionnaire:
        try:
            return read_questionnaire(file) if file else load_questionnaire()
        except QuestionnaireError as exc:
            raise _listed("问卷文件未通过检查", exc.errors) from None

    def handle_check(self, file: str | None = None, **options):
        q = self._questionnaire(file)
        self.stdout.write(
            f"问卷文件检查通过：「{Path(file or questionnaire_path()).name}」版本 {q.version}，"
            f"{len(q.elements)} 个能力要素、{len(q.domains)} 个能力域、{len(q.subdomains)} 个能力子域、"
            f"{len(q.requirements)} 条要求。"
        )

    def handle_questionnaire(self, format: str, file: str | None = None, **options):
        q = self._questionnaire(file)
        rows = [
            {
                "id": r.id,
                "element": q.subdomains[r.subdomain].element,
                "domain": q.subdomains[r.subdomain].domain,
                "subdomain": q.subdomains[r.subdomain].name,
                "level": r.level,
                "level_name": q.level_name(r.level),
                "text": r.text,
                "evidence": r.evidence,
                "answers": list(q.allowed_answers(r)),
            }
            for r in q.requirements
        ]
        if format == "json":
            document = {
                "version": q.version,
                "title": q.title,
                "industry_types": list(q.industry_types),
                "scale": {label: float(score) for label, score in q.scale.items()},
                "not_applicable": q.not_applicable,
                "requirements": rows,
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{q.title}（版本 {q.version}），共 {len(rows)} 条要求")
        widths = [8, 6, 10, 12, 8]
        header = ["编号", "要素", "能力域", "能力子域", "等级", "要求"]
        self.stdout.write(_line(header, widths))
        for row in rows:
            level = f"{q.level_label(row['level'])}"
            cells = [row["id"], row["element"], row["domain"], row["subdomain"], level, row["text"]]
            self.stdout.write(_line(cells, widths))

    def handle_score(self, answers: str, format: str, file: str | None = None, **options):
        q = self._questionnaire(file)
        industry_type, given = _read_answers(answers)
        try:
            scores = score_answers(q, industry_type, given)
        except AnswerError as exc:
            raise _listed("答案文件未通过检查", exc.errors) from None
        if format == "json":
            self.stdout.write(json.dumps(scores.as_json(), ensure_ascii=False))
            return
        self.stdout.write(f"行业类型：{industry_type}（问卷版本 {q.version}）")
        for level in q.levels:
            counted = "" if level.number in scores.counted_levels else "（不计入）"
            score = scores.level_scores[level.number]
            self.stdout.write(f"{level.label}（{level.name}）得分 {score}{counted}")
        for name, value in scores.domain_scores.items():
            self.stdout.write(f"能力域「{name}」{'—' if value is None else value}")
        self.stdout.write(
            f"总分 S = {scores.total}，成熟度等级：{scores.level_label}"
            + (f"（{scores.level_name}）" if scores.level else "")
        )


def _line(cells: list[str], widths: list[int]) -> str:
    padded = [c + " " * max(1, w - display_width(c)) for c, w in zip(cells, widths, strict=False)]
    return "".join(padded) + cells[-1]


def _read_answers(path: str) -> tuple[str, dict]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise CommandError(f"答案文件「{Path(path).name}」不是 UTF-8 编码。") from None
    except OSError as exc:
        raise CommandError(f"无法读取答案文件「{path}」：{exc.strerror}。") from None
    except yaml.YAMLError:
        raise CommandError(f"答案文件「{Path(path).name}」不是有效的 YAML 或 JSON。") from None
    if not isinstance(data, dict) or "answers" not in data or "industry_type" not in data:
        raise CommandError("答案文件应包含 industry_type（行业类型）和 answers（各要求的答案）。")
    answers = data["answers"]
    if not isinstance(answers, dict):
        raise CommandError("答案文件的 answers 应是「要求编号: 答案」形式的键值对。")
    return str(data["industry_type"]), {str(k): v for k, v in answers.items()}
