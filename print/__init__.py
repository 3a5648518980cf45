"""Printing: draws a `forms.layout` with reportlab into class-pack PDFs.

No Flask, no database: give it a layout, sheet serials and the texts to print, get PDF
bytes. Use `from print import render_pack`, never `import print` (that would hide the
builtin in the importing module).
"""

from print.cover import CoverText
from print.fonts import UnprintableTextError
from print.sheets import PackSheet, cover_pages, layout_for, measure, render_pack, write_pack

__all__ = ["CoverText", "PackSheet", "UnprintableTextError", "cover_pages", "layout_for",
           "measure", "render_pack", "write_pack"]
