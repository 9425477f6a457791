"""Letters laid out as one tagged, accessible A4 PDF by Typst (the `typst` package, whose wheel
holds the compiler, so there is nothing else to install).

Typst was chosen over the ReportLab canvas used before because its PDFs are tagged (a structure
tree of headings, paragraphs, lists and figures with alternative text), carry the document's
language and title, and it lays out a batch of letters several times faster. The layout itself is
templates/letters/letters.typ; this module turns letter text into the blocks it draws.
"""

import functools
import io
import json
from pathlib import Path

import reportlab
import segno
import typst

TEMPLATE = Path(__file__).parents[2] / "templates" / "letters" / "letters.typ"
# Bitstream Vera Sans ships inside reportlab, so every machine has the same plain sans-serif
# font; the system's DejaVu or Liberation Sans stand in if it is missing.
FONTS = ["Bitstream Vera Sans", "DejaVu Sans", "Liberation Sans"]
PICTURES = Path(__file__).parent / "pictures"
# How the survey's paragraph begins (easy read, and the normal letter): drawn beside its QR code.
SURVEY_OPENINGS = ("Scan the code", "How well do we keep you informed")


def blocks(text, code, pictures=False):
    """Split a letter's text into blocks: "## " a heading (the first is the letter's title),
    "- " lines a list, "[picture] " a paragraph with a picture (easy read), else a paragraph.
    Paragraphs after the survey's ("Yours sincerely" and the signature) go beside its QR code,
    so that a normal letter fits one page."""
    found = []
    for block in (b.strip() for b in text.strip().split("\n\n")):
        if not block:
            continue
        lines = block.splitlines()
        if found and found[-1]["kind"] == "survey" and not block.startswith(("## ", "- ", "[")):
            found[-1]["closing"].append(" ".join(lines))
        elif block.startswith("## "):
            level = 2 if any(b["kind"] == "heading" for b in found) else 1
            found.append({"kind": "heading", "level": level, "text": block[3:].strip()})
        elif all(line.startswith("- ") for line in lines):
            found.append({"kind": "bullets", "items": [line[2:] for line in lines]})
        elif block.startswith("[") and "] " in lines[0] and pictures:
            name, rest = block[1:].split("] ", 1)
            found.append({"kind": "picture", "picture": name, "text": " ".join(rest.split())})
        elif block.startswith(SURVEY_OPENINGS):
            found.append({"kind": "survey", "text": " ".join(lines), "code": code, "closing": []})
        else:
            found.append({"kind": "paragraph", "text": " ".join(lines)})
    return found


@functools.lru_cache(maxsize=256)  # one code per survey link: pathway, letter number, district
def qr_svg(link):
    """Return a QR code for a link as SVG text."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="svg", border=0, xmldecl=False)
    return out.getvalue().decode()


@functools.lru_cache(maxsize=1)
def pictures():
    """Return the easy-read pictures ({name: SVG text}) and the words that describe each."""
    words = json.loads((PICTURES / "pictures.json").read_text())
    return {name: (PICTURES / f"{name}.svg").read_text() for name in words}, words


@functools.lru_cache(maxsize=1)
def compiler():
    """Return a Typst compiler with the letter template and reportlab's fonts loaded."""
    fonts = typst.Fonts(include_system_fonts=True, font_paths=[str(p) for p in _font_folders()])
    return typst.Compiler(str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=fonts)


def _font_folders():
    return [Path(reportlab.__file__).parent / "fonts"]


def document(letters, sender, title="Waiting-list letters"):
    """Return the JSON the template draws: every letter, their QR codes and pictures."""
    art, words = pictures()
    used = {}
    rows = []
    for letter in letters:
        code = f"q{len(used)}" if letter.survey_link not in used else used[letter.survey_link]
        used.setdefault(letter.survey_link, code)
        rows.append(
            {
                "address": letter.address,
                "date": letter.letter_date,
                "reference": letter.reference,
                "size": letter.size,
                "blocks": blocks(letter.text, used[letter.survey_link], letter.easy_read),
            }
        )
    return {
        "title": title,
        "author": sender,
        "sender": sender,
        "fonts": FONTS,
        "letters": rows,
        "codes": {code: qr_svg(link) for link, code in used.items()},
        "pictures": art,
        "picture_words": words,
    }


def pdf_bytes(letters, sender, title="Waiting-list letters"):
    """Lay out letters as one tagged PDF (PDF/UA-1), each starting on a new page."""
    data = json.dumps(document(letters, sender, title), ensure_ascii=False)
    return compiler().compile(format="pdf", sys_inputs={"data": data}, pdf_standards=["ua-1"])
