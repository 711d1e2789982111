"""Finds Chinese interface text that does not go through the translation machinery.

Templates: any Han character outside {% translate %}/{% trans %} tags, {% blocktranslate %}
blocks and comments. Python: Chinese string literals in the places that reach a user
(messages, ValidationError and raised errors, verbose names, labels, help texts, choices)
that are not wrapped in gettext. Files and literals that are data, not interface, are listed
with their reason in tests/core/i18n_allowlist.txt.

Run as a script to print the findings: python -m tests.core.i18n_scan
"""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "zhizao"
ALLOWLIST = Path(__file__).with_name("i18n_allowlist.txt")

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
TEMPLATE_COMMENT = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
TRANSLATE_TAG = re.compile(r"{%\s*(?:translate|trans)\s+(?:\"[^\"]*\"|'[^']*')[^%]*%}")
TRANSLATED_LITERAL = re.compile(r"\b_\((?:\"[^\"]*\"|'[^']*')\)")
BLOCK_TRANSLATE = re.compile(
    r"{%\s*(?:blocktranslate|blocktrans)\b.*?%}.*?{%\s*(?:endblocktranslate|endblocktrans)\s*%}",
    re.S,
)

GETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
    "gettext_noop",
}
USER_FACING_KEYWORDS = {
    "verbose_name",
    "verbose_name_plural",
    "label",
    "help_text",
    "empty_label",
    "description",
    "short_description",
}
MESSAGE_FUNCTIONS = {"success", "error", "info", "warning", "add_message", "debug"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def allowed_file(relative: str, allowed: set[str]) -> bool:
    return any(fnmatch(relative, pattern) for pattern in allowed)


def load_allowlist() -> set[str]:
    """Path patterns of files (or 'path:literal' pairs) that hold data, not interface."""
    entries = set()
    for line in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.add(entry)
    return entries


def template_findings() -> list[str]:
    findings = []
    allowed = load_allowlist()
    for path in sorted(PACKAGE.rglob("templates/**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        if allowed_file(relative, allowed):
            continue
        text = path.read_text(encoding="utf-8")
        stripped = TEMPLATE_COMMENT.sub(_blank, text)
        stripped = BLOCK_TRANSLATE.sub(_blank, stripped)
        stripped = TRANSLATE_TAG.sub(_blank, stripped)
        stripped = TRANSLATED_LITERAL.sub(_blank, stripped)
        for number, line in enumerate(stripped.splitlines(), start=1):
            if HAN.search(line):
                findings.append(f"{relative}:{number}: {line.strip()[:120]}")
    return findings


def _blank(match: re.Match) -> str:
    """Keep line numbers: replace a match by as many newlines as it spans."""
    return "\n" * match.group(0).count("\n")


def python_findings() -> list[str]:
    findings = []
    allowed = load_allowlist()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/migrations/" in relative or allowed_file(relative, allowed):
            continue
        source = path.read_text(encoding="utf-8")
        if not HAN.search(source):
            continue
        tree = ast.parse(source)
        for node, why in _user_facing_literals(tree):
            text = _literal_text(node)
            if f"{relative}:{text}" in allowed:
                continue
            findings.append(f"{relative}:{node.lineno}: {why}: {text[:80]!r}")
    return findings


def _literal_text(node: ast.AST) -> str:
    if isinstance(node, ast.Constant):
        return node.value
    return ast.unparse(node)


def _han_literals(node: ast.AST):
    """Chinese str constants and f-strings under node, not inside a gettext call."""
    if isinstance(node, ast.Call) and _call_name(node) in GETTEXT_NAMES:
        return
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        if HAN.search(node.value):
            yield node
        return
    if isinstance(node, ast.JoinedStr):
        if any(isinstance(v, ast.Constant) and HAN.search(str(v.value)) for v in node.values):
            yield node
        return
    for child in ast.iter_child_nodes(node):
        yield from _han_literals(child)


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _user_facing_literals(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            owner = node.func.value if isinstance(node.func, ast.Attribute) else None
            if name in MESSAGE_FUNCTIONS and isinstance(owner, ast.Name) and owner.id == "messages":
                for arg in node.args[1:]:
                    for literal in _han_literals(arg):
                        yield literal, "message"
            elif name == "ValidationError" or name == "add_error":
                for arg in node.args:
                    for literal in _han_literals(arg):
                        yield literal, "validation error"
            elif name.endswith("Field") and node.args:
                for literal in _han_literals(node.args[0]):
                    yield literal, "field verbose name"
            for keyword in node.keywords:
                if keyword.arg in USER_FACING_KEYWORDS or keyword.arg == "choices":
                    for literal in _han_literals(keyword.value):
                        yield literal, keyword.arg
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            for arg in node.exc.args:
                for literal in _han_literals(arg):
                    yield literal, "raised error"
        elif isinstance(node, ast.ClassDef):
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
            if bases & CHOICES_BASES:
                for statement in node.body:
                    if isinstance(statement, ast.Assign):
                        for literal in _han_literals(statement.value):
                            yield literal, "choice"
            if node.name == "Meta":
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and any(
                        getattr(t, "id", "") in USER_FACING_KEYWORDS for t in statement.targets
                    ):
                        for literal in _han_literals(statement.value):
                            yield literal, "verbose name"
        elif isinstance(node, ast.Assign):
            targets = [getattr(t, "id", getattr(t, "attr", "")) for t in node.targets]
            if any(t in USER_FACING_KEYWORDS or t.endswith("_label") for t in targets):
                for literal in _han_literals(node.value):
                    yield literal, "label"


if __name__ == "__main__":
    for finding in template_findings() + python_findings():
        print(finding)
