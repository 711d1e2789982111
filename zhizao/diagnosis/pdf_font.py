"""The embedded Chinese font, encoded so that every reader gets the text back.

fpdf2 numbers the glyphs of a CID-keyed OpenType (CFF) font 1, 2, 3 … in the order the text uses
them, and tells the reader how those numbers map to the font's CIDs with an *embedded* encoding
CMap. Readers that do not read embedded encoding CMaps (pypdf, and the text layer of several
viewers) then take each two-byte code for two one-byte codes: the first 255 glyphs still come
out right, so the first page reads well, and from the 256th glyph on (pages 2–3 of a report) copy
and search give wrong characters.

Here each glyph's code is its CID, so the font's encoding is the predefined /Identity-H that
every reader knows, and the ToUnicode map (code → Unicode) is keyed by the same numbers. Noto Sans
SC is Adobe-Identity-0, the character collection Identity-H names."""

from fpdf.fonts import Glyph, SubsetMap, TTFFont
from fpdf.output import OutputProducer
from fpdf.syntax import Name

IDENTITY_H = Name("Identity-H")


def cid_of(glyph: Glyph) -> int:
    """The glyph's CID, as fpdf2 reads it when writing the font (cid01234 → 1234)."""
    if glyph.glyph_name == ".notdef":
        return 0
    name = glyph.glyph_name
    if name.startswith("cid") and name[3:].isdigit():
        return int(name[3:])
    return glyph.glyph_id


class CIDCodes(SubsetMap):
    """The subset map of a CID-keyed font whose character codes are the glyphs' CIDs."""

    def __init__(self, font: TTFFont) -> None:
        super().__init__(font)
        # fpdf2 reserves codes 0 (.notdef) and 32 (space) in advance: here a glyph's code is
        # its CID, so nothing is reserved and the space gets its own CID when text uses it.
        self._reserved = []
        self._char_id_per_glyph = {}

    def pick_glyph(self, glyph: Glyph | None) -> int | None:
        if glyph is None:
            return None
        code = self._char_id_per_glyph.get(glyph)
        if code is None:
            code = self._char_id_per_glyph[glyph] = cid_of(glyph)
        return code

    def items(self):
        # Two characters may share a glyph (⼀ U+2F00 and 一 U+4E00): one code, so one entry in
        # the ToUnicode map, for the character met first.
        seen = set()
        for glyph, code in self._char_id_per_glyph.items():
            if code not in seen:
                seen.add(code)
                yield glyph, code


def use_cid_codes(font: TTFFont) -> None:
    """Make `font` (a CID-keyed CFF font just added to the FPDF) encode text as Identity-H."""
    if font.is_cff and font.is_cid_keyed and font.cff_ros[:2] == ("Adobe", "Identity"):
        font.subset = CIDCodes(font)


class IdentityOutput(OutputProducer):
    """Writes the fonts whose codes are their CIDs with /Encoding /Identity-H instead of the
    embedded encoding CMap fpdf2 builds for them (which maps every code to itself)."""

    def _add_pdf_obj(self, pdf_obj, trace_label=None):
        if trace_label == "fonts" and getattr(pdf_obj, "type", None) == Name("CMap"):
            # Held back until its font is known (an object without a number is never written).
            self.__dict__.setdefault("_held_encodings", []).append(pdf_obj)
            return None
        return super()._add_pdf_obj(pdf_obj, trace_label)

    def _add_fonts(self, *args, **kwargs):
        font_objs = super()._add_fonts(*args, **kwargs)
        held = self.__dict__.pop("_held_encodings", [])
        for font in self.fpdf.fonts.values():
            obj = font_objs.get(font.i)
            if obj is None or not any(obj.encoding is cmap for cmap in held):
                continue
            if isinstance(font.subset, CIDCodes):
                obj.encoding = IDENTITY_H
            else:  # another CID-keyed font: keep fpdf2's encoding CMap
                super()._add_pdf_obj(obj.encoding, "fonts")
        return font_objs
