"""PDF pieces every app's documents share: the Chinese font and the base paragraph styles.

reportlab's built-in fonts have no Chinese glyphs; WenQuanYi Zen Hei (Debian's
fonts-wqy-zenhei, installed by `make system-deps`) is embedded in every PDF.
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "WQY"
FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


def register_font():
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    if not FONT_PATH.exists():
        raise ImproperlyConfigured(
            f"{FONT_PATH} is missing: install Debian's fonts-wqy-zenhei (make system-deps)."
        )
    # A .ttc holds several faces; the first is Zen Hei itself.
    pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))


def styles():
    base = ParagraphStyle("base", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", parent=base, fontSize=16, leading=22, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "sub": ParagraphStyle("sub", parent=base, fontSize=10, alignment=TA_CENTER),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "sign": ParagraphStyle("sign", parent=base, fontSize=10.5, leading=16),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11.5, leading=16, spaceBefore=3 * mm, spaceAfter=1 * mm
        ),
        "body": ParagraphStyle("body", parent=base, fontSize=10, leading=15),
    }
