"""Writing the cultivation demo in bulk: one multi-row INSERT per model (executemany; COPY on
PostgreSQL), each row of a model with history together with its creation entry in the history
table, and the 申报书 of each waiting application as a small PDF in private storage.

Why not bulk_create / bulk_create_with_history: at the default size (about 5,000 applications,
21,000 steps, 5,300 titles and their history) they take some 5 s on SQLite, most of it preparing
each value through the field machinery; the demo's budget is under 3 s. The rows here carry their
ids (given by the records) and values of known types, so each is converted with the backend's
own adapters (dates, times, decimals, JSON) and inserted as is. The columns come from the models'
metadata — a field added later with a default is filled with that default — and the history rows
are what simple-history's bulk_history_create would write. Each value is converted once, for the
row and its history entry alike."""

import datetime

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone

from zhizao.cultivation.attachments import check_attachment, delete_attachment, store_attachment
from zhizao.cultivation.demo.records import Records
from zhizao.cultivation.models import (
    Application,
    ApplicationStep,
    Attachment,
    Batch,
    ExpertReview,
    Title,
)

HISTORY_REASON = "生成演示数据"
CHUNK = 5000
WRITTEN = (Batch, Application, ApplicationStep, ExpertReview, Title, Attachment)


def first_ids() -> dict[str, int]:
    """The first free id of each table the records give ids to."""
    names = {
        "batch": Batch,
        "application": Application,
        "step": ApplicationStep,
        "review": ExpertReview,
        "title": Title,
        "attachment": Attachment,
    }
    return {
        name: (model.objects.aggregate(last=models.Max("id"))["last"] or 0) + 1
        for name, model in names.items()
    }


def _converter(field):
    """How a value of `field` goes to the database, or None when it goes as it is."""
    ops = connection.ops
    if isinstance(field, models.JSONField):
        done = {}  # the records share the lists they repeat (the scoring sheet, the scenes)

        def json_value(value):
            key = id(value)
            if key not in done:
                done[key] = (value, ops.adapt_json_value(value, field.encoder))
            return done[key][1]

        return json_value
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            # What the SQLite backend's adapter does to an aware time, without its checks: a
            # third of the demo's conversions are times.
            zone = connection.timezone
            return lambda value: (
                None if value is None else str(value.astimezone(zone).replace(tzinfo=None))
            )
        return lambda value: None if value is None else ops.adapt_datetimefield_value(value)
    if isinstance(field, models.DateField):
        return lambda value: None if value is None else ops.adapt_datefield_value(value)
    if isinstance(field, models.DecimalField):
        return lambda value: (
            None
            if value is None
            else ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        )
    return None


def prepare(model, rows: list[dict]) -> list[dict]:
    """The rows with every value as the database takes it, and a default for any field the
    records do not give (a field added after this was written)."""
    if not rows:
        return []
    fields = model._meta.concrete_fields
    defaults = {f.attname: f.get_default() for f in fields if f.attname not in rows[0]}
    converters = [(f.attname, c) for f in fields if (c := _converter(f)) is not None]
    prepared = []
    for row in rows:
        values = {**defaults, **row}
        for name, convert in converters:
            values[name] = convert(values[name])
        prepared.append(values)
    return prepared


def insert(model, rows: list[dict], extra: dict | None = None, skip: tuple[str, ...] = ()):
    """INSERT prepared `rows` (with `extra` for every row) into the model's table."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
    extra = {
        name: convert(extra[name]) if (convert := _converter(f)) else extra[name]
        for f in fields
        if (name := f.attname) in (extra or {})
    }
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    if extra:
        values = [[row[n] if n not in extra else extra[n] for n in names] for row in rows]
    else:
        values = [[row[n] for n in names] for row in rows]
    if connection.vendor == "postgresql":  # COPY through psycopg 3, as the enterprise demo
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for record in values:
                copy.write_row(record)
        return
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            cursor.executemany(sql, values[start : start + CHUNK])


def insert_with_history(model, rows: list[dict], stamp: datetime.datetime) -> None:
    """The rows and, for each, the creation entry simple-history's bulk_history_create writes:
    the tracked fields, history_date, history_type "+", the change reason and no user."""
    prepared = prepare(model, rows)
    insert(model, prepared)
    insert(
        model.history.model,
        prepared,  # the history table's columns are the tracked fields and the extra ones
        extra={
            "history_date": stamp,
            "history_change_reason": HISTORY_REASON,
            "history_type": "+",
            "history_user_id": None,
        },
        skip=("history_id",),
    )


def write(records: Records) -> list[str]:
    """Write the records (the caller owns the transaction); returns the stored attachment names,
    which the caller deletes should the transaction fail."""
    stamp = timezone.now()
    insert_with_history(Batch, list(records.batches.values()), stamp)
    insert_with_history(Application, records.applications, stamp)
    insert(ApplicationStep, prepare(ApplicationStep, records.steps))
    insert_with_history(ExpertReview, records.reviews, stamp)
    insert_with_history(Title, records.titles, stamp)
    stored = _write_attachments(records)
    if connection.vendor == "postgresql":
        # The ids were given explicitly: move the sequences past them.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(WRITTEN)):
                cursor.execute(sql)
    return stored


def _write_attachments(records: Records) -> list[str]:
    stored, rows = [], []
    try:
        for application, title_type, holder_name, user, uploaded_at in records.attachments:
            content = application_form_pdf(application, title_type, holder_name, uploaded_at)
            name = f"{application['project_name']}申报书.pdf"[-255:]
            checked = check_attachment(content, name)
            stored_name = store_attachment(content, checked)
            stored.append(stored_name)
            rows.append(
                {
                    "id": next(records.ids["attachment"]),
                    "application_id": application["id"],
                    "requirement": "申报书",
                    "original_name": name,
                    "stored_name": stored_name,
                    "kind": checked.kind,
                    "content_type": checked.content_type,
                    "size": checked.size,
                    "sha256": checked.sha256,
                    "uploaded_by_id": user.pk if user is not None else None,
                    "uploaded_at": uploaded_at,
                }
            )
        insert(Attachment, prepare(Attachment, rows))
    except Exception:
        for stored_name in stored:
            delete_attachment(stored_name)
        raise
    return stored


# --- the 申报书: a one-page PDF in the viewer's built-in Chinese font ---------------------------


def _text(value: str) -> str:
    """A PDF string in the UniGB-UCS2-H encoding: UTF-16BE as hex (the BMP is enough here)."""
    return "<" + value.encode("utf-16-be").hex().upper() + ">"


def application_form_pdf(
    application: dict, title_type, holder_name: str, when: datetime.datetime
) -> bytes:
    """A one-page application form: the holder, the type, the project and its scenes, in the
    Adobe-GB1 font STSong-Light that PDF viewers provide, so that nothing is embedded."""
    lines = [
        (18, f"{application['_batch']['year']}年{title_type.name}申报书"),
        (12, f"申报单位：{holder_name}"),
        (12, f"项目名称：{application['project_name']}"),
        (12, f"项目投资：{application['investment']} 万元"),
        (12, "建设场景："),
        *((11, f"  {s['name']}：{s['description']}") for s in application["scenes"]),
        (12, f"填报日期：{when:%Y年%m月%d日}"),
        (9, "（演示数据）"),
    ]
    y, body = 780, []
    for size, line in lines:
        body.append(f"BT /F1 {size} Tf 56 {y} Td {_text(line[:44])} Tj ET")
        y -= size + 14
    stream = "\n".join(body).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 7 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 6 0 R /DW 1000 /W [1 95 500 814 939 500] >>",  # Latin: half width
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 "
        b"/FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 "
        b"/CapHeight 880 /StemV 93 >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
