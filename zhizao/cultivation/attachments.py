"""Checking and private storage of the files attached to applications for titles (申报材料附件):
the type is decided from the content, never from the name, and files live under VAR_DIR under
names the platform chooses, so they can only be served by a view that checks who is asking.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import pathlib
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
# Limits against zip bombs: a real Office file is far below either.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100
RATIO_CHECKED_FROM_BYTES = 1024 * 1024

_MB = 1024 * 1024
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Office keeps a password-protected .docx/.xlsx/.pptx as an OLE2 file with this stream in it.
_ENCRYPTED_PACKAGE = "EncryptedPackage\0".encode("utf-16-le")
_ENCRYPTED_PACKAGE_LENGTH = len(_ENCRYPTED_PACKAGE).to_bytes(2, "little")
_OLE2_DIRECTORY_ENTRY = 128
_OOXML = {
    "word/": (
        "word",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".docx",
    ),
    "xl/": ("excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
    "ppt/": (
        "powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ".pptx",
    ),
}
_LEGACY_OFFICE = {
    ".doc": ("word", "application/msword", ".doc"),
    ".xls": ("excel", "application/vnd.ms-excel", ".xls"),
    ".ppt": ("powerpoint", "application/vnd.ms-powerpoint", ".ppt"),
}
# What each allowed extension claims the file is, for the message when the content is not that.
_CLAIMS = {
    ".pdf": gettext_lazy("PDF 文件"),
    ".png": gettext_lazy("PNG 图片"),
    ".jpg": gettext_lazy("JPEG 图片"),
    ".jpeg": gettext_lazy("JPEG 图片"),
    ".gif": gettext_lazy("GIF 图片"),
    ".webp": gettext_lazy("WebP 图片"),
    ".doc": gettext_lazy("Word 文档"),
    ".docx": gettext_lazy("Word 文档"),
    ".xls": gettext_lazy("Excel 表格"),
    ".xlsx": gettext_lazy("Excel 表格"),
    ".ppt": gettext_lazy("PowerPoint 演示文稿"),
    ".pptx": gettext_lazy("PowerPoint 演示文稿"),
}
ALLOWED_EXTENSIONS = frozenset(_CLAIMS)
_STORED_NAME = re.compile(
    r"(?P<prefix>[0-9a-f]{2})/(?P<hex>[0-9a-f]{32})\.(pdf|png|jpg|gif|webp|doc|docx|xls|xlsx|ppt|pptx)"
)


class AttachmentRefused(Exception):
    """An upload that is not accepted; str(exc) is the Chinese message for the user."""


@dataclass(frozen=True)
class CheckedFile:
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str


def check_attachment(uploaded, name: str | None = None) -> CheckedFile:
    """Decide what `uploaded` is from its content, or raise AttachmentRefused saying why not."""
    label = _display_name(name if name is not None else getattr(uploaded, "name", None))
    declared = None if isinstance(uploaded, bytes | bytearray) else getattr(uploaded, "size", None)
    if declared is not None and declared > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(_too_big(label, declared))
    content = _read_limited(uploaded)
    if not content:
        raise AttachmentRefused(
            _("「%(label)s」是空文件（0 字节），请检查后重新上传。") % {"label": label}
        )
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(_too_big(label, len(content)))
    kind, content_type, extension = _detect(content, label)
    return CheckedFile(
        kind, content_type, extension, len(content), hashlib.sha256(content).hexdigest()
    )


def store_attachment(uploaded, checked: CheckedFile) -> str:
    """Write the checked content to a new private file and return its stored name."""
    content = _read_limited(uploaded)
    if len(content) != checked.size or hashlib.sha256(content).hexdigest() != checked.sha256:
        # Storing anything other than what was checked would defeat the check.
        raise ValueError("the content differs from the one that was checked")
    hex_ = uuid.uuid4().hex
    stored_name = f"{hex_[:2]}/{hex_}{checked.extension}"
    path = attachment_path(stored_name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as out:
        out.write(content)
    return stored_name


def attachment_path(stored_name: str) -> pathlib.Path:
    """The absolute path of a stored name; anything not of the platform's own shape is refused."""
    match = _STORED_NAME.fullmatch(stored_name or "")
    if match is None or not match["hex"].startswith(match["prefix"]):
        raise ValueError(f"not a stored attachment name: {stored_name!r}")
    return pathlib.Path(settings.VAR_DIR) / "attachments" / stored_name


def delete_attachment(stored_name: str) -> None:
    attachment_path(stored_name).unlink(missing_ok=True)


def _display_name(name: str | None) -> str:
    # Browsers may send a whole client path ("C:\fakepath\x.pdf"); the user knows the last part.
    base = re.split(r"[\\/]", name or "")[-1].strip()
    return base or _("附件")


def _extension(label: str) -> str:
    return pathlib.PurePath(label).suffix.lower()


def _too_big(label: str, size: int) -> str:
    # Rounded up, so a file just over the limit never reads as "20.0 MB".
    megabytes = math.ceil(size * 10 / _MB) / 10
    return _(
        "「%(label)s」大小为 %(megabytes)s MB，超过单个附件 20 MB 的上限，请压缩或拆分后重新上传。"
    ) % {"label": label, "megabytes": format(megabytes, ".1f")}


def _read_limited(uploaded) -> bytes:
    if isinstance(uploaded, bytes | bytearray):
        return bytes(uploaded[: MAX_ATTACHMENT_BYTES + 1])
    # One byte past the limit is enough to know a file is too big, whatever it claims as .size.
    uploaded.seek(0)
    content = uploaded.read(MAX_ATTACHMENT_BYTES + 1)
    uploaded.seek(0)
    return content


def _detect(content: bytes, label: str) -> tuple[str, str, str]:
    if content.startswith(b"%PDF-"):
        return "pdf", "application/pdf", ".pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png", ".png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg", ".jpg"
    if content.startswith((b"GIF87a", b"GIF89a")):
        return "image", "image/gif", ".gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image", "image/webp", ".webp"
    if content.startswith(_OLE2_MAGIC):
        return _detect_legacy_office(content, label)
    if content.startswith(b"PK\x03\x04"):
        return _detect_ooxml(content, label)
    raise AttachmentRefused(_not_what_it_claims(label) or _unknown(label))


def _detect_legacy_office(content: bytes, label: str) -> tuple[str, str, str]:
    if _has_encrypted_package(content):
        raise AttachmentRefused(
            _("「%(label)s」设置了打开密码，平台无法检查其内容；请在 Office 中取消密码后重新上传。")
            % {"label": label}
        )
    extension = _extension(label)
    if extension in _LEGACY_OFFICE:
        return _LEGACY_OFFICE[extension]
    if extension in {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp"}:
        raise AttachmentRefused(_not_what_it_claims(label))
    raise AttachmentRefused(
        _(
            "「%(label)s」是旧版 Office 文件，但扩展名不是 .doc、.xls 或 .ppt，无法确定是哪种文件；请改正扩展名，或在 Office 中另存为 .docx、.xlsx、.pptx 后重新上传。"
        )
        % {"label": label}
    )


def _has_encrypted_package(content: bytes) -> bool:
    # Only a directory entry counts (aligned, with the name's length after it), not the same words
    # in the text of an ordinary .doc, which Word also keeps in UTF-16LE.
    start = content.find(_ENCRYPTED_PACKAGE)
    while start != -1:
        length = content[start + 64 : start + 66]
        if start % _OLE2_DIRECTORY_ENTRY == 0 and length == _ENCRYPTED_PACKAGE_LENGTH:
            return True
        start = content.find(_ENCRYPTED_PACKAGE, start + 1)
    return False


def _detect_ooxml(content: bytes, label: str) -> tuple[str, str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise AttachmentRefused(_not_what_it_claims(label) or _unknown(label)) from None
    names = {entry.filename for entry in entries}
    part = next(
        (prefix for prefix in _OOXML if any(n.startswith(prefix) for n in names)),
        None,
    )
    if "[Content_Types].xml" not in names or part is None:
        raise AttachmentRefused(
            _not_what_it_claims(label)
            or _(
                "「%(label)s」是普通压缩包，不是 Office 文件，不能上传；请解压后分别上传其中的文件。"
            )
            % {"label": label}
        )
    if sum(entry.file_size for entry in entries) > MAX_UNZIPPED_BYTES:
        raise AttachmentRefused(
            _("「%(label)s」解压后的内容超过 200 MB，可能是恶意构造的文件，不能上传。")
            % {"label": label}
        )
    for entry in entries:
        if entry.file_size > RATIO_CHECKED_FROM_BYTES and (
            entry.compress_size == 0 or entry.file_size / entry.compress_size > MAX_ZIP_RATIO
        ):
            raise AttachmentRefused(
                _("「%(label)s」中有压缩比异常的内容，可能是恶意构造的文件，不能上传。")
                % {"label": label}
            )
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        # Macros run code on the reviewer's machine, and a macro file kept as .docx does not open.
        raise AttachmentRefused(
            _("「%(label)s」包含宏，不能上传；请另存为不含宏的 .docx、.xlsx 或 .pptx 后重新上传。")
            % {"label": label}
        )
    return _OOXML[part]


def _not_what_it_claims(label: str) -> str | None:
    claim = _CLAIMS.get(_extension(label))
    if claim is None:
        return None
    return _("「%(label)s」的内容不是 %(claim)s，可能只是改了扩展名，不能上传。") % {
        "label": label,
        "claim": claim,
    }


def _unknown(label: str) -> str:
    return _(
        "「%(label)s」不是可以上传的文件类型：只接受 PDF、图片（PNG、JPEG、GIF、WebP）和 Office 文件（Word、Excel、PowerPoint）。"
    ) % {"label": label}
