"""The matcher's text relevance (see `zhizao.bridge.matching`): the need's keywords, the search
index's hits for the most telling of them, and BM25 of every keyword over the candidates'
indexed words — the words the search index holds, so that synonyms count and SQLite and
PostgreSQL score alike."""

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from django.db import connection
from django.db.models import Q

from zhizao.bridge.models import Library, Need

TEXT_HITS = 100  # hits asked of the search index
RETRIEVAL_KEYWORDS = 4  # the keywords searched for (all of them score)
TITLE_TIMES = 3  # a keyword in the title counts as this many in the body
BM25_K1, BM25_B = 1.2, 0.5
QUERY_KEYWORDS = 12  # keywords of the need sent as the query
MATCH_LIBRARIES = (
    Library.SOLUTION,
    Library.PROVIDER,
    Library.EXPERT,
    Library.FINANCE,
    Library.CASE,
)


COMMON_WORDS_FILE = Path(__file__).resolve().parent / "data" / "matching-common-words.txt"


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words in most entries (data/matching-common-words.txt): scored, not searched for."""
    lines = COMMON_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (words of general Chinese text), and its median for unknown words:
    domain words the table lacks (定型机, 落筒) weigh as rare words."""
    from jieba.analyse.tfidf import DEFAULT_IDF, IDFLoader

    loader = IDFLoader(DEFAULT_IDF)
    return loader.idf_freq, loader.median_idf


_WORD = re.compile(r"[^\W_]+")


def need_keywords(need: Need, count: int = QUERY_KEYWORDS) -> list[str]:
    """The need's most telling words, best first: TF-IDF over the title (counted twice) and the
    description, stopwords and single characters left out (a lone letter or digit too)."""
    from zhizao.bridge.search.segmentation import normalize, stopwords, tokenizer

    stop = stopwords()
    counts: Counter = Counter()
    for text, times in ((need.title, 2), (need.description, 1)):
        # Cut as the search index cuts (HMM on), so that a new word like 配液 stays whole.
        for piece in tokenizer().cut(normalize(text)):
            for word in _WORD.findall(piece):
                if len(word) > 1 and word not in stop and not word.isdigit():
                    counts[word] += times
    idf, median = _idf()
    scored = sorted(counts, key=lambda w: (-counts[w] * idf.get(w, median), w))
    return scored[:count]


def text_hits(need: Need, libraries=MATCH_LIBRARIES) -> tuple[list, set[tuple[str, int]]]:
    """The need's keywords as query groups (each word with its synonyms), and the published
    entries of `libraries` the search index finds for any of its most telling ones (at most
    RETRIEVAL_KEYWORDS, the common words left out), best TEXT_HITS by the backend's text score.

    The query is the search backend's own (`Backend.match`: FTS5 MATCH or the tsquery with its
    GIN index), without what `search()` adds for people (recency, rating, facet counts) and
    without the common words that would make it read a third of the index. One statement."""
    try:
        from zhizao.bridge.search import backends, segmentation
    except ImportError:  # the structured part works without the search backend
        return [], set()
    groups = segmentation.query_groups(" ".join(need_keywords(need)))
    common = common_words()
    telling = [g for g in groups if g[0][0] not in common][:RETRIEVAL_KEYWORDS]
    if not telling:
        return groups, set()
    backend = backends.backend_for()
    from_sql, where, where_params, text, text_params = backend.match(telling, True)
    names = [str(library) for library in libraries]
    marks = ", ".join(["%s"] * len(names))
    sql = (
        f"SELECT d.library, d.object_id FROM (SELECT d.id, {text} AS t {from_sql}"
        f" WHERE {where} AND d.is_published = %s AND d.library IN ({marks})) AS s"
        f" JOIN {backend.table} AS d ON d.id = s.id ORDER BY s.t DESC, d.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*text_params, *where_params, True, *names, TEXT_HITS])
        rows = cursor.fetchall()
    return groups, {(str(library), int(object_id)) for library, object_id in rows}


def _group_weight(group) -> float:
    idf, median = _idf()
    return max(idf.get(word, median) for alternative in group for word in alternative[:1])


def _occurrences(words: Counter, group) -> int:
    """How often the document has the group's word or a synonym (every word of it)."""
    return max(min(words[word] for word in alternative) for alternative in group)


def text_scores(groups, keys) -> dict[tuple[str, int], float]:
    """(library, object_id) → text relevance in [0, 1] of the candidates `keys`: BM25 over the
    indexed words of their search documents (the words the search index holds, so synonyms
    count), each keyword weighted by its IDF, a title occurrence as TITLE_TIMES body ones,
    divided by the best candidate's. The same on both databases. One query."""
    if not groups or not keys:
        return {}
    from zhizao.bridge.models import SearchDocument

    by_library: dict[str, list[int]] = {}
    for library, object_id in keys:
        by_library.setdefault(library, []).append(object_id)
    wanted = Q()
    for library, ids in by_library.items():
        wanted |= Q(library=library, object_id__in=ids)
    rows = SearchDocument.objects.filter(wanted).values_list(
        "library", "object_id", "title_words", "body_words"
    )
    documents = {}
    for library, object_id, title, body in rows:
        title_words, body_words = title.split(), body.split()
        documents[(library, object_id)] = (
            Counter(title_words),
            Counter(body_words),
            len(title_words) * TITLE_TIMES + len(body_words),
        )
    if not documents:
        return {}
    average = sum(length for *_, length in documents.values()) / len(documents) or 1.0
    weights_ = [_group_weight(group) for group in groups]
    raw = {}
    for key, (title, body, length) in documents.items():
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / average)
        score = 0.0
        for group, weight in zip(groups, weights_, strict=True):
            tf = TITLE_TIMES * _occurrences(title, group) + _occurrences(body, group)
            if tf:
                score += weight * tf * (BM25_K1 + 1) / (tf + norm)
        raw[key] = score
    best = max(raw.values())
    return {key: value / best for key, value in raw.items()} if best > 0 else {}
