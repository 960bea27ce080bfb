"""Label rendering (PDF, PNG, ZPL) from plain ``LabelData``. No HTTP, no database."""

from postbridge.labels.addressing import format_recipient_lines
from postbridge.labels.model import (
    CustomsCategory,
    CustomsDeclaration,
    CustomsFormType,
    CustomsItem,
    LabelData,
    PartnerBarcode,
    Party,
)
from postbridge.labels.pdf import PageSize, render_pdf
from postbridge.labels.png import render_png, render_png_pages
from postbridge.labels.zpl import render_zpl

__all__ = [
    "CustomsCategory",
    "CustomsDeclaration",
    "CustomsFormType",
    "CustomsItem",
    "LabelData",
    "PageSize",
    "PartnerBarcode",
    "Party",
    "format_recipient_lines",
    "render_pdf",
    "render_png",
    "render_png_pages",
    "render_zpl",
]
