"""Highlighted snippets, computed in Python from the query's words over the original text, so
that both database backends give the same snippet for the same document.

The text is matched in its normalised form (NFKC, lower case, as the index sees it) and marked
in its original form; everything outside <mark>…</mark> is HTML-escaped. A Latin or digit word
matches whole words only (mes does not mark "times"); a Chinese word matches anywhere, as
segmentation found it there.
"""

from __future__ import annotations

import html
import unicodedata

SNIPPET_CHARS = 120
CONTEXT_BEFORE = 20
ELLIPSIS = "…"


def _is_ascii_word(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """The text normalised character by character, and for each normalised character the index
    of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        normal = unicodedata.normalize("NFKC", char).lower() if not char.isascii() else char.lower()
        chars.append(normal)
        origin.extend([index] * len(normal))
    return "".join(chars), origin


def match_spans(text: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every occurrence of the terms in `text` (original indices), overlaps
    merged, in order."""
    if not text or not terms:
        return []
    normal, origin = _normalised_with_map(text)
    spans: list[tuple[int, int, str]] = []
    for term in terms:
        if not term:
            continue
        whole_words = all(_is_ascii_word(c) for c in term)
        start = normal.find(term)
        while start != -1:
            end = start + len(term)
            if not whole_words or (
                (start == 0 or not _is_ascii_word(normal[start - 1]))
                and (end == len(normal) or not _is_ascii_word(normal[end]))
            ):
                spans.append((origin[start], origin[end - 1] + 1, term))
            start = normal.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, term in spans:
        if merged and start < merged[-1][1]:
            previous = merged[-1]
            merged[-1] = (previous[0], max(previous[1], end), previous[2])
        else:
            merged.append((start, end, term))
    return merged


def _render(text: str, spans: list[tuple[int, int, str]], start: int, end: int) -> str:
    out, position = [], start
    for span_start, span_end, _ in spans:
        if span_start < start or span_end > end:
            continue
        out.append(html.escape(text[position:span_start]))
        out.append(f"<mark>{html.escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(html.escape(text[position:end]))
    return "".join(out)


def highlight(text: str, terms: list[str]) -> str:
    """The whole text, escaped, with the terms marked."""
    text = text or ""
    return _render(text, match_spans(text, terms), 0, len(text))


def snippet(text: str, terms: list[str], size: int = SNIPPET_CHARS) -> str:
    """A window of about `size` characters of `text` around the densest matches, escaped, with
    the terms marked; the start of the text when nothing matches."""
    text = " ".join((text or "").split())
    if len(text) <= size:
        return highlight(text, terms)
    spans = match_spans(text, terms)
    best_start, best_score = 0, (0, 0)
    for span_start, _, _ in spans:
        start = max(0, span_start - CONTEXT_BEFORE)
        end = min(len(text), start + size)
        inside = {term for s, e, term in spans if s >= start and e <= end}
        score = (len(inside), -start)
        if score > best_score:
            best_start, best_score = start, score
    start = best_start
    end = min(len(text), start + size)
    if end - start < size:
        start = max(0, end - size)
    body = _render(text, spans, start, end)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(text) else ""
    return f"{prefix}{body}{suffix}"
