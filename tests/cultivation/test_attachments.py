"""Attachments to applications for titles: the type is decided from the content, refusals name the
file and say why, and accepted files are stored privately under names the platform chooses."""

import hashlib
import io
import re
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhizao.cultivation.attachments import (
    MAX_ATTACHMENT_BYTES,
    AttachmentRefused,
    CheckedFile,
    attachment_path,
    check_attachment,
    delete_attachment,
    store_attachment,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- real files, built by hand -------------------------------------------------------------------


def pdf_bytes() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte + one red pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8" + b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def gif_bytes() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\x00\x00\x00\x00\x00"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


def webp_bytes() -> bytes:
    vp8l = b"VP8L" + struct.pack("<I", 5) + b"\x2f\x00\x00\x00\x00\x00"
    return b"RIFF" + struct.pack("<I", 4 + len(vp8l)) + b"WEBP" + vp8l


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(**extra: bytes) -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": (
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                b'<Default Extension="xml" ContentType="application/xml"/>'
                b'<Override PartName="/word/document.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                "<w:body><w:p><w:r><w:t>申报书</w:t></w:r></w:p></w:body></w:document>"
            ).encode(),
            **extra,
        }
    )


def pptx_bytes() -> bytes:
    return zip_bytes(
        {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p:presentation/>"}
    )


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active["A1"] = "智能工厂"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def ole2_directory_entry(name: str) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return encoded.ljust(64, b"\x00") + struct.pack("<H", len(encoded)) + b"\x00" * 62


def ole2_bytes(*stream_names: str, body: bytes = b"") -> bytes:
    """A compound file: the 512-byte header, then a directory sector, then the streams' sector."""
    header = OLE2_MAGIC.ljust(512, b"\x00")
    directory = b"".join(ole2_directory_entry(n) for n in ("Root Entry", *stream_names))
    return header + directory.ljust(512, b"\x00") + body.ljust(512, b"\x00")


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(AttachmentRefused) as caught:
        check_attachment(upload(name, content))
    return str(caught.value)


# --- accepted, the content decides --------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type", "extension"),
    [
        ("申报书.pdf", pdf_bytes(), "pdf", "application/pdf", ".pdf"),
        ("厂区.png", png_bytes(), "image", "image/png", ".png"),
        ("车间.jpeg", jpeg_bytes(), "image", "image/jpeg", ".jpg"),
        ("动图.gif", gif_bytes(), "image", "image/gif", ".gif"),
        ("照片.webp", webp_bytes(), "image", "image/webp", ".webp"),
        ("申报书.docx", docx_bytes(), "word", DOCX, ".docx"),
        ("产值.xlsx", xlsx_bytes(), "excel", XLSX, ".xlsx"),
        ("汇报.pptx", pptx_bytes(), "powerpoint", PPTX, ".pptx"),
        ("旧申报书.doc", ole2_bytes("WordDocument"), "word", "application/msword", ".doc"),
        ("旧产值.XLS", ole2_bytes("Workbook"), "excel", "application/vnd.ms-excel", ".xls"),
        ("旧汇报.ppt", ole2_bytes(), "powerpoint", "application/vnd.ms-powerpoint", ".ppt"),
    ],
)
def test_allowed_file_is_accepted_with_the_type_of_its_content(
    name, content, kind, content_type, extension
):
    # when
    checked = check_attachment(upload(name, content))
    # then
    assert checked == CheckedFile(
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def test_pdf_named_txt_is_accepted_as_pdf():
    # given a scan saved under a wrong name
    content = pdf_bytes()
    # when
    checked = check_attachment(upload("scan.txt", content))
    # then
    assert (checked.kind, checked.content_type, checked.extension) == (
        "pdf",
        "application/pdf",
        ".pdf",
    )


def test_png_named_jpg_is_accepted_as_png():
    checked = check_attachment(upload("photo.jpg", png_bytes()))
    assert (checked.content_type, checked.extension) == ("image/png", ".png")


def test_bytes_are_checked_with_the_name_given():
    # when
    checked = check_attachment(ole2_bytes("WordDocument"), name="申报书.doc")
    # then
    assert checked.kind == "word"


def test_word_text_that_mentions_encrypted_package_is_not_taken_for_a_password():
    # given a .doc whose text contains the stream's name, not at a directory entry
    content = ole2_bytes(
        "WordDocument", body=b"\x00\x00\x00" + "EncryptedPackage\0".encode("utf-16-le")
    )
    # when
    checked = check_attachment(upload("说明.doc", content))
    # then
    assert checked.extension == ".doc"


def test_file_of_exactly_20_mb_is_accepted():
    content = b"%PDF-1.4\n" + b"0" * (MAX_ATTACHMENT_BYTES - 9)
    checked = check_attachment(upload("大文件.pdf", content))
    assert checked.size == MAX_ATTACHMENT_BYTES


def test_check_leaves_the_upload_at_its_start():
    uploaded = upload("申报书.pdf", pdf_bytes())
    check_attachment(uploaded)
    assert uploaded.read() == pdf_bytes()


# --- refused, with the file's name and the reason -----------------------------------------------


def test_program_renamed_pdf_is_refused_as_not_a_pdf():
    message = refusal("x.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64)
    assert message == "「x.pdf」的内容不是 PDF 文件，可能只是改了扩展名，不能上传。"


def test_text_renamed_png_is_refused_as_not_a_png():
    message = refusal("厂区.png", "这不是图片".encode())
    assert message == "「厂区.png」的内容不是 PNG 图片，可能只是改了扩展名，不能上传。"


def test_program_under_its_own_name_is_refused_as_not_allowed():
    message = refusal("setup.exe", b"MZ\x90\x00" + b"\x00" * 64)
    assert message == (
        "「setup.exe」不是可以上传的文件类型：只接受 PDF、图片（PNG、JPEG、GIF、WebP）"
        "和 Office 文件（Word、Excel、PowerPoint）。"
    )


def test_plain_zip_renamed_docx_is_refused_as_not_a_word_document():
    content = zip_bytes({"readme.txt": b"hello", "data.csv": b"a,b\n1,2\n"})
    message = refusal("材料.docx", content)
    assert message == "「材料.docx」的内容不是 Word 文档，可能只是改了扩展名，不能上传。"


def test_plain_zip_is_refused_with_advice_to_unpack_it():
    content = zip_bytes({"[Content_Types].xml": b"<Types/>", "readme.txt": b"hello"})
    message = refusal("材料.zip", content)
    assert (
        message
        == "「材料.zip」是普通压缩包，不是 Office 文件，不能上传；请解压后分别上传其中的文件。"
    )


def test_empty_file_is_refused():
    assert refusal("空白.pdf", b"") == "「空白.pdf」是空文件（0 字节），请检查后重新上传。"


def test_file_one_byte_over_20_mb_is_refused_with_its_size():
    # given
    content = b"%PDF-1.4\n" + b"0" * (MAX_ATTACHMENT_BYTES + 1 - 9)
    # when
    message = refusal("big.pdf", content)
    # then
    assert (
        message == "「big.pdf」大小为 20.1 MB，超过单个附件 20 MB 的上限，请压缩或拆分后重新上传。"
    )


def test_stream_without_size_is_read_only_up_to_the_limit():
    # given a stream with no .size, far bigger than the limit
    stream = io.BytesIO(b"%PDF-1.4\n" + b"0" * (3 * MAX_ATTACHMENT_BYTES))
    # when
    with pytest.raises(AttachmentRefused) as caught:
        check_attachment(stream, name="巨大.pdf")
    # then the size said is of what was read: the limit and one byte
    assert str(caught.value) == (
        "「巨大.pdf」大小为 20.1 MB，超过单个附件 20 MB 的上限，请压缩或拆分后重新上传。"
    )


def test_password_protected_office_file_is_refused_with_advice_to_remove_the_password():
    # given a .docx saved with a password: Office wraps it in a compound file
    content = ole2_bytes("EncryptionInfo", "EncryptedPackage", "\x06DataSpaces")
    # when
    message = refusal("申报书.docx", content)
    # then
    assert (
        message
        == "「申报书.docx」设置了打开密码，平台无法检查其内容；请在 Office 中取消密码后重新上传。"
    )


def test_legacy_office_file_with_another_name_is_refused():
    message = refusal("材料.bin", ole2_bytes("WordDocument"))
    assert message == (
        "「材料.bin」是旧版 Office 文件，但扩展名不是 .doc、.xls 或 .ppt，无法确定是哪种文件；"
        "请改正扩展名，或在 Office 中另存为 .docx、.xlsx、.pptx 后重新上传。"
    )


def test_legacy_office_file_named_pdf_is_refused_as_not_a_pdf():
    message = refusal("材料.pdf", ole2_bytes("WordDocument"))
    assert message == "「材料.pdf」的内容不是 PDF 文件，可能只是改了扩展名，不能上传。"


def test_office_file_with_an_entry_compressed_over_100_times_is_refused():
    # given 2 MB of zeros, which deflate squeezes about a thousand times
    content = docx_bytes(**{"word/media/image1.bin": b"\x00" * (2 * 1024 * 1024)})
    # when
    message = refusal("申报书.docx", content)
    # then
    assert message == "「申报书.docx」中有压缩比异常的内容，可能是恶意构造的文件，不能上传。"


def test_office_file_that_unpacks_to_more_than_200_mb_is_refused():
    # given 201 entries of 1 MB each, every one small enough to skip the ratio check
    megabyte = b"\x00" * (1024 * 1024)
    content = docx_bytes(**{f"word/media/part{i}.bin": megabyte for i in range(201)})
    # when
    message = refusal("申报书.docx", content)
    # then
    assert message == "「申报书.docx」解压后的内容超过 200 MB，可能是恶意构造的文件，不能上传。"


def test_office_file_with_macros_is_refused():
    content = docx_bytes(**{"word/vbaProject.bin": b"\x00VBA"})
    message = refusal("申报书.docx", content)
    assert message == (
        "「申报书.docx」包含宏，不能上传；请另存为不含宏的 .docx、.xlsx 或 .pptx 后重新上传。"
    )


def test_client_path_in_the_name_is_left_out_of_the_message():
    message = refusal("C:\\fakepath\\x.pdf", b"MZ")
    assert message.startswith("「x.pdf」")


# --- private storage ----------------------------------------------------------------------------


def test_stored_file_round_trips_under_a_name_the_platform_chose(settings):
    # given
    content = pdf_bytes()
    uploaded = upload("../../申报书 最终版.pdf", content)
    checked = check_attachment(uploaded)
    # when
    stored_name = store_attachment(uploaded, checked)
    # then
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.pdf", stored_name)
    assert stored_name[:2] == stored_name[3:5]
    path = attachment_path(stored_name)
    assert path == settings.VAR_DIR / "attachments" / stored_name
    assert path.read_bytes() == content
    assert "申报书" not in str(path)


def test_stored_extension_comes_from_the_content(settings):
    uploaded = upload("scan.txt", pdf_bytes())
    stored_name = store_attachment(uploaded, check_attachment(uploaded))
    assert stored_name.endswith(".pdf")
    assert attachment_path(stored_name).is_file()


def test_two_uploads_of_the_same_file_are_stored_apart(settings):
    uploaded = upload("申报书.pdf", pdf_bytes())
    checked = check_attachment(uploaded)
    assert store_attachment(uploaded, checked) != store_attachment(uploaded, checked)


def test_content_other_than_the_checked_one_is_not_stored(settings):
    # given
    checked = check_attachment(upload("申报书.pdf", pdf_bytes()))
    # when / then
    with pytest.raises(ValueError, match="differs"):
        store_attachment(upload("申报书.pdf", b"MZ" + pdf_bytes()), checked)
    assert list(settings.VAR_DIR.rglob("*.pdf")) == []


def test_deleted_attachment_is_gone_and_deleting_again_is_harmless(settings):
    # given
    uploaded = upload("申报书.pdf", pdf_bytes())
    stored_name = store_attachment(uploaded, check_attachment(uploaded))
    # when
    delete_attachment(stored_name)
    delete_attachment(stored_name)
    # then
    assert not attachment_path(stored_name).exists()


@pytest.mark.parametrize(
    "stored_name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "ab/../../../secret.pdf",
        "ab/abcdef0123456789abcdef0123456789.pdf/../../x",
        "ab/ABCDEF0123456789ABCDEF0123456789.pdf",
        "00/abcdef0123456789abcdef0123456789.pdf",
        "ab/abcdef0123456789abcdef0123456789.exe",
        "ab\\abcdef0123456789abcdef0123456789.pdf",
        "abcdef0123456789abcdef0123456789.pdf",
        "",
    ],
)
def test_name_not_of_the_stored_shape_is_refused(settings, stored_name):
    with pytest.raises(ValueError, match="not a stored attachment name"):
        attachment_path(stored_name)
