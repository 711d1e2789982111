"""Scoring answers against the questionnaire: pure functions on Decimals, no database.

The method (docs/diagnosis.md), with the numbers the questionnaire file gives:

- an answer scores its scale value (不满足 0, 部分满足 0.5, 大部分满足 0.8, 全部满足 1); 不适用,
  where a requirement allows it, takes the requirement out;
- a sub-domain's score at a level is the mean of its answered requirements at that level;
- a level's score is the weighted mean of the sub-domain scores at that level, with the weights
  of the enterprise's industry type renormalised over the sub-domains that have answered
  requirements at that level (a level where nothing is asked or everything is 不适用 counts 1);
- level scores are rounded to four decimals (half up) and used as rounded from then on, so that
  every figure shown adds up;
- the total S adds the level scores from level 1 up to and including the first level whose
  score is below the threshold (0.8);
- the maturity level is the band S falls in.

Scoring needs every requirement answered: an unanswered requirement is not scoreable yet, so a
draft has no score and `score_answers` refuses incomplete answers, naming what is missing."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from zhizao.diagnosis.questionnaire import Questionnaire, Requirement, SubDomain

PLACES = Decimal("0.0001")
ONE = Decimal(1)


class AnswerError(Exception):
    """Answers that cannot be scored; `errors` lists every problem in Chinese."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


def rounded(value: Decimal) -> Decimal:
    return value.quantize(PLACES, rounding=ROUND_HALF_UP)


# --- checking answers ---------------------------------------------------------------------


def industry_type_problem(q: Questionnaire, industry_type) -> str | None:
    if industry_type in q.industry_types:
        return None
    return _("行业类型「%(industry_type)s」无效，应为%(value)s。") % {
        "industry_type": industry_type,
        "value": "或".join(q.industry_types),
    }


def answer_problems(q: Questionnaire, answers, *, complete: bool) -> list[str]:
    """Every problem with `answers` ({requirement id: label}); with `complete`, also the
    requirements not yet answered. An empty list means the answers are fine."""
    if not isinstance(answers, dict):
        return [_("答案应是「要求编号: 答案」形式的键值对。")]
    problems = []
    for rid, label in answers.items():
        requirement = q.by_id.get(str(rid))
        if requirement is None:
            problems.append(
                _("要求「%(rid)s」不在问卷（版本 %(version)s）中。")
                % {"rid": rid, "version": q.version}
            )
            continue
        if label is None or label == "":
            continue
        if label == q.not_applicable and not requirement.not_applicable_allowed:
            problems.append(
                _("要求「%(rid)s」不允许回答「%(not_applicable)s」。")
                % {"rid": rid, "not_applicable": q.not_applicable}
            )
        elif label not in q.allowed_answers(requirement):
            allowed = "、".join(q.allowed_answers(requirement))
            problems.append(
                _("要求「%(rid)s」的答案「%(label)s」无效，应为 %(allowed)s 之一。")
                % {"rid": rid, "label": label, "allowed": allowed}
            )
    if complete:
        missing = [r.id for r in unanswered(q, answers)]
        if missing:
            problems.append(
                _("以下 %(missing)s 条要求尚未作答：%(value)s。")
                % {"missing": len(missing), "value": "、".join(missing)}
            )
    return problems


def unanswered(q: Questionnaire, answers: dict) -> list[Requirement]:
    return [r for r in q.requirements if answers.get(r.id) in (None, "")]


# --- the scores ---------------------------------------------------------------------------


def subdomain_scores(q: Questionnaire, answers: dict) -> dict[int, dict[str, Decimal]]:
    """level → sub-domain code → the mean of its answered requirements at that level (exact).
    Sub-domains without an answered, applicable requirement at a level are absent."""
    values: dict[tuple[int, str], list[Decimal]] = defaultdict(list)
    for requirement in q.requirements:
        label = answers.get(requirement.id)
        if label in q.scale:
            values[(requirement.level, requirement.subdomain)].append(q.scale[label])
    scores: dict[int, dict[str, Decimal]] = {level.number: {} for level in q.levels}
    for code in q.subdomains:
        for level in q.levels:
            found = values.get((level.number, code))
            if found:
                scores[level.number][code] = sum(found, Decimal(0)) / len(found)
    return scores


def weighted_mean(scores: dict[str, Decimal], weights: dict[str, Decimal]) -> Decimal:
    """The mean of `scores` weighted by `weights`, renormalised over the codes present (all
    weights zero: the plain mean)."""
    total_weight = sum((weights.get(code, Decimal(0)) for code in scores), Decimal(0))
    if total_weight == 0:
        return sum(scores.values(), Decimal(0)) / len(scores)
    weighted = sum((weights.get(code, Decimal(0)) * s for code, s in scores.items()), Decimal(0))
    return weighted / total_weight


def level_scores(q: Questionnaire, industry_type: str, answers: dict) -> dict[int, Decimal]:
    """level → its score, rounded to four decimals; a level asking nothing applicable counts 1."""
    weights = q.weights[industry_type]
    per_level = subdomain_scores(q, answers)
    return {
        level: rounded(weighted_mean(scores, weights)) if scores else rounded(ONE)
        for level, scores in per_level.items()
    }


def total_score(scores: dict[int, Decimal], threshold: Decimal) -> tuple[Decimal, tuple[int, ...]]:
    """S and the levels it counts: from level 1 up to and including the first below the
    threshold."""
    total, counted = Decimal(0), []
    for level in sorted(scores):
        total += scores[level]
        counted.append(level)
        if scores[level] < threshold:
            break
    return rounded(total), tuple(counted)


def maturity_level(q: Questionnaire, total: Decimal) -> int:
    """The band S falls in: each band runs from its lower bound up to the next one's
    (excluded); the last one up to the highest possible S."""
    reached = q.bands[0].level
    for band in q.bands:
        if total >= band.lower:
            reached = band.level
    return reached


def domain_scores(q: Questionnaire, industry_type: str, answers: dict) -> dict[str, Decimal | None]:
    """Each domain's own S on the same 0–5 scale (for the radar chart): the method above applied
    to the domain alone, its sub-domains' weights renormalised within it. A level at which the
    domain asks nothing applicable counts 1; a domain answered 不适用 throughout has no score."""
    weights = q.weights[industry_type]
    per_level = subdomain_scores(q, answers)
    result: dict[str, Decimal | None] = {}
    for name, domain in q.domains.items():
        by_level, answered = {}, False
        for level in q.levels:
            scores = {c: s for c, s in per_level[level.number].items() if c in domain.subdomains}
            answered = answered or bool(scores)
            by_level[level.number] = rounded(weighted_mean(scores, weights) if scores else ONE)
        result[name] = total_score(by_level, q.threshold)[0] if answered else None
    return result


@dataclass(frozen=True)
class Gap:
    """A requirement not fully met at the level above the one reached (差距项)."""

    requirement: Requirement
    subdomain: SubDomain
    answer: str
    score: Decimal
    weight: Decimal


def gaps(q: Questionnaire, industry_type: str, answers: dict, level: int) -> list[Gap]:
    """The requirements at the next level (level + 1; at the top level, the top level itself)
    answered below full marks, by their sub-domain's weight (heaviest first), then in the
    questionnaire's order. 不适用 and unanswered requirements are not gaps."""
    target = min(level + 1, len(q.levels))
    weights = q.weights[industry_type]
    full = max(q.scale.values())
    found = []
    for position, requirement in enumerate(q.requirements):
        label = answers.get(requirement.id)
        if requirement.level != target or label not in q.scale or q.scale[label] >= full:
            continue
        gap = Gap(
            requirement=requirement,
            subdomain=q.subdomains[requirement.subdomain],
            answer=label,
            score=q.scale[label],
            weight=weights.get(requirement.subdomain, Decimal(0)),
        )
        found.append((-gap.weight, position, gap))
    return [gap for *_, gap in sorted(found, key=lambda item: item[:2])]


@dataclass(frozen=True)
class Scores:
    industry_type: str
    level_scores: dict[int, Decimal]
    counted_levels: tuple[int, ...]
    total: Decimal
    level: int
    level_label: str  # 二级
    level_name: str  # 规范级
    domain_scores: dict[str, Decimal | None]

    def stored(self) -> dict:
        """The JSON a record keeps: exact decimals as strings."""
        return {
            "level_scores": {str(k): str(v) for k, v in self.level_scores.items()},
            "domain_scores": {
                k: None if v is None else str(v) for k, v in self.domain_scores.items()
            },
        }

    def as_json(self) -> dict:
        """What `zhizao diagnosis score --format json` prints."""
        return {
            "level_scores": {str(k): float(v) for k, v in self.level_scores.items()},
            "domain_scores": {
                k: None if v is None else float(v) for k, v in self.domain_scores.items()
            },
            "total": float(self.total),
            "level": self.level,
            "level_name": self.level_name,
        }


def score_answers(q: Questionnaire, industry_type: str, answers: dict) -> Scores:
    """The scores of a complete set of answers, or AnswerError listing every problem."""
    problems = [p for p in [industry_type_problem(q, industry_type)] if p]
    problems += answer_problems(q, answers, complete=True)
    if problems:
        raise AnswerError(problems)
    by_level = level_scores(q, industry_type, answers)
    total, counted = total_score(by_level, q.threshold)
    level = maturity_level(q, total)
    return Scores(
        industry_type=industry_type,
        level_scores=by_level,
        counted_levels=counted,
        total=total,
        level=level,
        level_label=q.level_label(level),
        level_name=q.level_name(level),
        domain_scores=domain_scores(q, industry_type, answers),
    )
