"""Chinese word segmentation for the bridge's search (jieba), with the domain dictionary,
stopwords and synonyms kept as data in `data/`.

Both sides of a search go through here, so that SQLite FTS5 and PostgreSQL see the same words:

- text is normalised first: NFKC (full-width ＭＥＳ，１２３ → half-width MES,123) and lower case;
- indexed text is cut with `cut_for_search`, which emits the words of a long word as well as the
  word itself (数字化车间 → 数字 数字化 车间 数字化车间), so that a query for a part matches;
- a query is cut precisely (`cut`), stopwords are dropped, and each remaining word becomes a
  group of alternatives: the word and its synonyms (MES → mes | 制造执行系统);
- a "word" is a run of letters and digits only (Unicode categories L* and N*): punctuation,
  symbols and spaces separate words, so "GB/T 39116-2020" is gb t 39116 2020 on both sides and
  no query character can reach a database's query syntax.

This module imports no Django, so that segmentation can run in worker processes.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
DICTIONARY_FILE = DATA_DIR / "dictionary.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.yaml"
STOPWORDS_FILE = DATA_DIR / "stopwords.txt"

# A query is cut to at most this many words, and its text to this many characters.
MAX_QUERY_TERMS = 12
MAX_QUERY_CHARS = 200

_lock = threading.Lock()
_tokenizer = None


def normalize(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms → plain) and lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


# Letters and digits (Python's \w without the underscore: Unicode categories L* and N*).
_WORD = re.compile(r"[^\W_]+")


def split_words(text: str) -> list[str]:
    """The words of already-cut text: runs of letters and digits, everything else separates."""
    return _WORD.findall(text)


def _read_lines(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(normalize(word) for word in _read_lines(STOPWORDS_FILE))


@dataclass(frozen=True)
class SynonymGroup:
    kind: str  # "equivalent" or "related"
    words: tuple[str, ...]  # normalised


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[SynonymGroup, ...]:
    data = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8")) or {}
    groups = []
    for kind in ("equivalent", "related"):
        for words in data.get(kind) or []:
            normalised = tuple(dict.fromkeys(normalize(str(word)).strip() for word in words))
            if len(normalised) > 1:
                groups.append(SynonymGroup(kind, normalised))
    return tuple(groups)


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, dict[str, None]] = {}
    for group in synonym_groups():
        for word in group.words:
            index.setdefault(word, {word: None}).update(dict.fromkeys(group.words))
    return {word: tuple(alternatives) for word, alternatives in index.items()}


def synonyms_of(word: str) -> tuple[str, ...]:
    """The word and its synonyms, the word first (normalised)."""
    word = normalize(word)
    return _synonym_index().get(word, (word,))


def dictionary_words() -> list[tuple[str, int | None, str | None]]:
    """(word, frequency or None, tag or None) of the domain dictionary and the synonyms."""
    entries: dict[str, tuple[str, int | None, str | None]] = {}
    for line in _read_lines(DICTIONARY_FILE):
        parts = line.split()
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
        word = normalize(parts[0])
        entries[word] = (word, freq, tag)
    for group in synonym_groups():
        for word in group.words:
            if len(split_words(word)) == 1:  # "首台(套)" cannot be one jieba word anyway
                entries.setdefault(word, (word, None, None))
    return list(entries.values())


def tokenizer():
    """The process's jieba tokenizer with the domain dictionary, made once and quietly."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                logging.getLogger("jieba").setLevel(logging.WARNING)
                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.initialize()
                for word, freq, tag in dictionary_words():
                    if freq is None:
                        # As frequent as needed to be cut out whole, and at least moderately so.
                        freq = max(instance.suggest_freq(word, False), 1000)
                    instance.add_word(word, freq, tag)
                _tokenizer = instance
    return _tokenizer


def index_words(text: str) -> list[str]:
    """The words under which `text` is indexed (cut_for_search, stopwords dropped)."""
    text = normalize(text)
    if not text.strip():
        return []
    words: list[str] = []
    stop = stopwords()
    for block in _BLOCK.split(text):
        if not block:
            continue
        if _BLOCK.match(block):
            words.extend(_block_words(block))
        else:  # jieba yields the characters between its blocks one by one
            words.extend(char for char in block if _WORD.match(char) and char not in stop)
    return words


# jieba cuts a text block by block (runs of Chinese characters and ASCII letters and digits),
# each independently of the others: the words of a block can be remembered. Descriptions repeat
# names, labels and phrases, so a rebuild meets most blocks more than once.
_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")
BLOCK_CACHE_SIZE = 200_000
_block_cache: dict[str, tuple[str, ...]] = {}


def _block_words(block: str) -> tuple[str, ...]:
    words = _block_cache.get(block)
    if words is not None:
        return words
    stop = stopwords()
    cutter = tokenizer()
    found = []
    for piece in cutter.cut_for_search(block):
        for word in (piece,) if piece.isalnum() else split_words(piece):
            if word in stop:
                continue
            if len(word) > 4:
                # cut_for_search emits the 2- and 3-character words inside a long word; add
                # the longer dictionary words in it too (智能制造 in 智能制造能力成熟度).
                found.extend(_long_inner_words(cutter.FREQ, word))
            found.append(word)
    words = tuple(found)
    if BLOCK_CACHE_SIZE:
        if len(_block_cache) >= BLOCK_CACHE_SIZE:
            _block_cache.clear()
        _block_cache[block] = words
    return words


def _long_inner_words(freq: dict, word: str) -> list[str]:
    found = []
    for size in range(4, len(word)):
        for start in range(len(word) - size + 1):
            inner = word[start : start + size]
            if freq.get(inner):
                found.append(inner)
    return found


def index_text(text: str) -> str:
    """Segmented text as stored in SearchDocument.title_words / body_words: words and spaces."""
    return " ".join(index_words(text))


# An alternative is the words a document must all contain (usually one word); a group is the
# alternatives of one query word (the word and its synonyms), any of which will do.
Alternative = tuple[str, ...]
Group = tuple[Alternative, ...]


def query_groups(query: str) -> list[Group]:
    """The query cut into words, each expanded with its synonyms. Empty when nothing is left
    (an empty query, or stopwords and punctuation alone)."""
    text = normalize(query)[:MAX_QUERY_CHARS]
    if not text.strip():
        return []
    stop = stopwords()
    groups: list[Group] = []
    seen: set[frozenset] = set()
    for piece in tokenizer().cut(text):
        for word in split_words(piece):
            if word in stop:
                continue
            alternatives = []
            for synonym in synonyms_of(word):
                parts = tuple(w for w in split_words(synonym) if w not in stop)
                if parts and parts not in alternatives:
                    alternatives.append(parts)
            key = frozenset(alternatives)
            if alternatives and key not in seen:
                seen.add(key)
                groups.append(tuple(alternatives))
            if len(groups) >= MAX_QUERY_TERMS:
                return groups
    return groups


def highlight_terms(groups: list[Group]) -> list[str]:
    """Every word of every alternative: what a snippet marks."""
    terms: dict[str, None] = {}
    for group in groups:
        for alternative in group:
            terms.update(dict.fromkeys(alternative))
    return list(terms)
