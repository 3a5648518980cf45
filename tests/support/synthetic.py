"""A stand-in layout and renderer following the layout contract (markers, QR, bubbles, rows,
write-ins), drawn with OpenCV. Used where print/ is not needed: unit tests of geometry and
of odd layouts (a Letter page, tiny bubbles) without reportlab.
"""

from __future__ import annotations

import cv2
import numpy as np

from forms.sheetcode import encode_sheet_code

A4 = (595.28, 841.89)
MM = 72 / 25.4


def synthetic_layout(n_single: int = 8, values: int = 5, *, pupil_number: bool = True,
                     multi: bool = True, writein: bool = True, paper=A4,
                     fingerprint: str = "ABCDEF0123456789", bubble_r: float = 12.0) -> dict:
    """A one-page layout document in the contract's format (page_templates + questions)."""
    w, h = paper
    m = 12 * MM
    size = 9 * MM
    markers = [
        {"id": 0, "x": m, "y": m, "size": size},
        {"id": 1, "x": w - m - size, "y": m, "size": size},
        {"id": 2, "x": w - m - size, "y": h - m - size, "size": size},
        {"id": 3, "x": m, "y": h - m - size, "size": size},
    ]
    qr = {"x": w - m - size - 4 * MM - 26 * MM, "y": m, "size": 26 * MM}
    questions, bubbles, rows, writeins = [], [], [], []
    y = m + 34 * MM
    x0 = 250.0
    step = max(2.6 * bubble_r, 30.0)
    if pupil_number:
        for k, code in enumerate(("pupil_number_tens", "pupil_number_units")):
            vals = [str(d) for d in range(10)]
            questions.append({"code": code, "type": "single", "values": vals, "page": 1})
            ry = y + k * 22
            for j, v in enumerate(vals):
                bubbles.append({"question": code, "value": v, "cx": 200 + j * 22, "cy": ry,
                                "r": 7.5})
            rows.append({"question": code, "x": 60.0, "y": ry - 11, "w": w - 120, "h": 22})
        y += 60
    for i in range(n_single):
        code = f"q{i + 1}"
        vals = [str(v + 1) for v in range(values)]
        questions.append({"code": code, "type": "single", "values": vals, "page": 1})
        for j, v in enumerate(vals):
            bubbles.append({"question": code, "value": v, "cx": x0 + j * step, "cy": y,
                            "r": bubble_r})
        rows.append({"question": code, "x": 50.0, "y": y - 2 * bubble_r, "w": w - 100,
                     "h": 4 * bubble_r})
        y += 4.2 * bubble_r
    if multi:
        vals = ["a", "b", "c", "d"]
        questions.append({"code": "topics", "type": "multi", "values": vals, "page": 1})
        for j, v in enumerate(vals):
            bubbles.append({"question": "topics", "value": v, "cx": x0 + j * step, "cy": y,
                            "r": bubble_r})
        rows.append({"question": "topics", "x": 50.0, "y": y - 2 * bubble_r, "w": w - 100,
                     "h": 4 * bubble_r})
        y += 4.2 * bubble_r
    if writein:
        writeins.append({"question": "comments", "x": 60.0, "y": y, "w": w - 120, "h": 70.0})
    page = {"page": 1, "width_pt": w, "height_pt": h, "markers": markers, "qr": qr,
            "bubbles": bubbles, "rows": rows, "writeins": writeins}
    return {"format": "survey-sheet-layout/1", "fingerprint": fingerprint, "paper": "a4",
            "questions": questions, "page_templates": [page], "sheets": []}


def render_page(template: dict, code_text: str, dpi: float = 200) -> np.ndarray:
    """Draw one page template (greyscale uint8) as a printer would: markers, QR, rings."""
    s = dpi / 72
    w, h = round(template["width_pt"] * s), round(template["height_pt"] * s)
    img = np.full((h, w), 255, np.uint8)
    aruco = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    for mk in template["markers"]:
        side = round(mk["size"] * s)
        x, y = round(mk["x"] * s), round(mk["y"] * s)
        img[y:y + side, x:x + side] = cv2.aruco.generateImageMarker(aruco, mk["id"], side)
    qr = template["qr"]
    enc = cv2.QRCodeEncoder.create()
    mat = enc.encode(code_text)  # includes a quiet zone
    side = round(qr["size"] * s)
    x, y = round(qr["x"] * s), round(qr["y"] * s)
    img[y:y + side, x:x + side] = cv2.resize(mat, (side, side), interpolation=cv2.INTER_NEAREST)
    for b in template["bubbles"]:
        c = (round(b["cx"] * s * 16), round(b["cy"] * s * 16))
        cv2.circle(img, c, round(b["r"] * s * 16), 0, max(1, round(0.8 * s)), cv2.LINE_AA, 4)
        org = (round((b["cx"] - 3) * s), round((b["cy"] - 1.5 * b["r"]) * s))
        cv2.putText(img, b["value"][:2], org, cv2.FONT_HERSHEY_SIMPLEX, 0.25 * s, 0, 1,
                    cv2.LINE_AA)
    for r in template["rows"]:
        cv2.putText(img, r["question"], (round((r["x"] + 4) * s), round((r["y"] + r["h"] / 2) * s)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.35 * s, 0, 1, cv2.LINE_AA)
    for wbox in template["writeins"]:
        cv2.rectangle(img, (round(wbox["x"] * s), round(wbox["y"] * s)),
                      (round((wbox["x"] + wbox["w"]) * s), round((wbox["y"] + wbox["h"]) * s)),
                      0, max(1, round(0.6 * s)))
    return img


def sheet_code(layout: dict, serial: int = 1, page: int = 1, *, installation: str = "TESTINST",
               collection_id: int = 7) -> str:
    return encode_sheet_code(installation, collection_id, serial, page, layout["fingerprint"])
