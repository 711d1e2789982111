"""`zhizao bridge`: the 新智造鹊桥 resource libraries from the command line.

One `add_<action>_arguments` and one `handle_<action>` function per subcommand, registered in
SUBCOMMANDS: a new subcommand is a pair of functions and one line there."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhizao.bridge.import_template import template_workbook_bytes
from zhizao.bridge.importing import import_workbook

# --- template ----------------------------------------------------------------------------------


def add_template_arguments(parser) -> None:
    parser.add_argument("file", help="输出文件，例如 资源库导入模板.xlsx。")


def handle_template(command: BaseCommand, file: str, **options) -> None:
    path = Path(file)
    try:
        path.write_bytes(template_workbook_bytes())
    except OSError as exc:
        raise CommandError(f"无法写入「{path}」：{exc.strerror}。") from None
    command.stdout.write(f"已写出导入模板：{path}")


# --- import ------------------------------------------------------------------------------------


def add_import_arguments(parser) -> None:
    parser.add_argument("file", help="要导入的 Excel 文件（.xlsx），每个资源库一个工作表。")
    parser.add_argument("--dry-run", action="store_true", help="只检查并预览，不写入任何数据。")
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        help="以该用户的身份导入（服务商、专家只能导入自己可以维护的条目）；默认以市级身份导入。",
    )
    parser.add_argument(
        "--publish",
        action="store_true",
        help="导入后直接发布（仅市级）；默认导入的条目待审核。",
    )


def handle_import(
    command: BaseCommand,
    file: str,
    dry_run: bool = False,
    user: str | None = None,
    publish: bool = False,
    **options,
) -> None:
    result = import_workbook(Path(file), find_user(user), dry_run=dry_run, publish=publish)
    command.stdout.write(json.dumps(result.summary(), ensure_ascii=False, indent=2))
    if result.errors:
        command.stdout.flush()
        raise SystemExit(1)


def find_user(username: str | None):
    if not username:
        return None
    found = get_user_model().objects.filter(username=username).first()
    if found is None:
        raise CommandError(f"找不到用户「{username}」。")
    return found


# --- match -------------------------------------------------------------------------------------


def add_match_arguments(parser) -> None:
    parser.add_argument("need_id", type=int, metavar="NEED_ID", help="需求编号。")
    parser.add_argument("--limit", type=int, default=10, help="列出的条目数（默认 10）。")
    parser.add_argument(
        "--format", choices=("json", "table"), default="table", help="输出格式（默认 table）。"
    )


def handle_match(
    command: BaseCommand, need_id: int, limit: int = 10, format: str = "table", **options
) -> None:
    """Print the matcher's ranking for a need (nothing is stored: `match_need` does that)."""
    from zhizao.bridge.matching import need_keywords, rank
    from zhizao.bridge.models import Library, Need

    need = Need.objects.select_related("enterprise", "region", "cluster").filter(pk=need_id).first()
    if need is None:
        raise CommandError(f"找不到需求 {need_id}。")
    if limit < 1:
        raise CommandError("--limit 应为正整数。")
    results = rank(need, limit=limit)
    if format == "json":
        payload = {
            "need": {
                "id": need.pk,
                "title": need.title,
                "enterprise": need.enterprise.name,
                "region": need.region.name,
                "cluster": need.cluster.name if need.cluster else None,
                "subdomains": need.subdomains,
                "keywords": need_keywords(need),
            },
            "results": [
                {
                    "rank": position,
                    "library": result.library,
                    "library_name": str(Library(result.library).label),
                    "object_id": result.object_id,
                    "title": result.title,
                    "score": result.score,
                    "reasons": list(result.reasons),
                    "reasons_text": result.reasons_text,
                    "features": {k: round(v, 4) for k, v in result.features.items()},
                }
                for position, result in enumerate(results, start=1)
            ],
        }
        command.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    command.stdout.write(
        f"需求 {need.pk}：{need.title}（{need.enterprise.name}，{need.region.name}）"
    )
    command.stdout.write("排名\t资源库\t编号\t匹配分\t条目\t匹配理由")
    for position, result in enumerate(results, start=1):
        command.stdout.write(
            f"{position}\t{Library(result.library).label}\t{result.object_id}\t"
            f"{result.score:.4f}\t{result.title}\t{result.reasons_text or '—'}"
        )
    if not results:
        command.stdout.write("没有可推荐的已发布条目。")


# --- search ------------------------------------------------------------------------------------


def add_search_arguments(parser) -> None:
    parser.add_argument("query", metavar="QUERY", help='检索词，例如 "印染 MES"。')
    parser.add_argument(
        "--library", action="append", default=[], help="只检索该资源库（代码，可重复）。"
    )
    parser.add_argument("--cluster", action="append", default=[], help="产业集群代码（可重复）。")
    parser.add_argument("--subdomain", action="append", default=[], help="能力子域代码（可重复）。")
    parser.add_argument("--region", action="append", default=[], help="区县代码（可重复）。")
    parser.add_argument("--limit", type=int, default=20, help="列出的条目数（默认 20）。")
    parser.add_argument(
        "--user", metavar="USERNAME", help="以该用户的可见范围检索；默认匿名（仅已发布条目）。"
    )
    parser.add_argument(
        "--format", choices=("json", "table"), default="table", help="输出格式（默认 table）。"
    )


def handle_search(
    command: BaseCommand,
    query: str,
    library=(),
    cluster=(),
    subdomain=(),
    region=(),
    limit: int = 20,
    user: str | None = None,
    format: str = "table",
    **options,
) -> None:
    """Print the ranked results of one search, with their scores and the facet counts."""
    from zhizao.bridge.models import Library
    from zhizao.bridge.search import search

    if limit < 1:
        raise CommandError("--limit 应为正整数。")
    unknown = [code for code in library if code not in Library.values]
    if unknown:
        raise CommandError(
            f"未知的资源库：{'、'.join(unknown)}（可选：{'、'.join(Library.values)}）。"
        )
    results = search(
        query,
        user=find_user(user),
        libraries=library,
        clusters=cluster,
        subdomains=subdomain,
        regions=region,
        limit=limit,
    )
    if format == "json":
        payload = {
            "query": query,
            "terms": results.terms,
            "total": results.total,
            "relaxed": results.relaxed,
            "facets": results.facets,
            "hits": [
                {
                    "rank": position,
                    "library": hit.library,
                    "library_name": str(Library(hit.library).label),
                    "object_id": hit.object_id,
                    "title": hit.title,
                    "score": hit.score,
                    "snippet_html": hit.snippet_html,
                }
                for position, hit in enumerate(results.hits, start=1)
            ],
        }
        command.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    note = "（没有同时含全部检索词的条目，以下含其中任一）" if results.relaxed else ""
    command.stdout.write(f"「{query}」共 {results.total} 条{note}")
    if results.hits:
        command.stdout.write("排名\t资源库\t编号\t得分\t标题")
    for position, hit in enumerate(results.hits, start=1):
        command.stdout.write(
            f"{position}\t{Library(hit.library).label}\t{hit.object_id}\t{hit.score:.4f}\t{hit.title}"
        )


def add_reindex_arguments(parser) -> None:
    parser.add_argument(
        "--workers", type=int, default=None, help="分词进程数（默认：条目多时按 CPU 数）。"
    )


def handle_reindex(command: BaseCommand, workers: int | None = None, **options) -> None:
    """Rebuild the whole search index (after the dictionary or synonyms data changed)."""
    import time

    from zhizao.bridge.search import rebuild_index

    start = time.perf_counter()
    counts = rebuild_index(workers=workers)
    parts = "，".join(f"{library} {count}" for library, count in sorted(counts.items()))
    command.stdout.write(
        f"检索索引已重建：共 {sum(counts.values())} 条（{parts or '无'}），"
        f"用时 {time.perf_counter() - start:.1f} 秒。"
    )


# --- the command -------------------------------------------------------------------------------

# name → (help, add_arguments, handle)
SUBCOMMANDS = {
    "template": ("写出资源库导入模板（.xlsx）。", add_template_arguments, handle_template),
    "import": (
        "导入资源库条目（.xlsx）：先检查整个文件，没有错误才在一个事务中全部写入。",
        add_import_arguments,
        handle_import,
    ),
    "match": (
        "为一条需求列出匹配的资源（解决方案、服务商、专家、金融产品、案例）及匹配分和理由。",
        add_match_arguments,
        handle_match,
    ),
    "search": ("检索全部资源库，列出排序结果及得分。", add_search_arguments, handle_search),
    "reindex": (
        "重建检索索引（修改分词词典或同义词后执行）。",
        add_reindex_arguments,
        handle_reindex,
    ),
}


class Command(BaseCommand):
    help = f"新智造鹊桥（资源库、检索与供需对接）：{'、'.join(SUBCOMMANDS)}，各子命令的说明见其 --help。"

    def add_arguments(self, parser):
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{" + ",".join(SUBCOMMANDS) + "}"
        )
        for name, (text, add, _) in SUBCOMMANDS.items():
            add(actions.add_parser(name, help=text))

    def handle(self, *args, action: str, **options):
        SUBCOMMANDS[action][2](self, **options)
