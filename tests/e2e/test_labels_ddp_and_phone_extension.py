"""Issue 11, point 4 ("the label is marked DDP") and point 8 ("phone extensions are kept"),
read back out of the labels booked through HTTP: the PDF's text (pdftotext), the ZPL's fields
and the PNG's pixels."""

from __future__ import annotations

import copy
import io
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from postbridge.labels import render_png
from postbridge.labels.model import Incoterm
from postbridge.labels.samples import sample_label
from tests.builders import RECIPIENT_ES_MADRID as RECIPIENT_ES
from tests.builders import RECIPIENT_MX_CDMX as RECIPIENT_MX
from tests.builders import shipment_body
from tests.e2e.conftest import auth
from tests.labels_longest import pdf_text, words, zpl_text

# The boxed "DDP" on a 4x6 PNG at 203 dpi (points 144-170 across, 9-22 down), with a margin.
DDP_BOX_PX = (402, 22, 483, 65)


def book(client: TestClient, key: str, recipient: dict[str, Any], incoterm: str) -> dict:
    body = shipment_body(recipient=copy.deepcopy(recipient), incoterm=incoterm)
    response = client.post("/v1/shipments", json=body, headers=auth(key))
    assert response.status_code == 201, response.text
    return response.json()


def label(client: TestClient, key: str, shipment_id: str, label_format: str) -> bytes:
    response = client.get(
        f"/v1/shipments/{shipment_id}/label?format={label_format}", headers=auth(key)
    )
    assert response.status_code == 200, response.text
    return response.content


def ddp_box(png: bytes) -> bytes:
    return Image.open(io.BytesIO(png)).crop(DDP_BOX_PX).tobytes()


# The header's first line: the product name (shortened to its room, as before; the box takes
# 30 pt of it), then the boxed marker.
FIRST_LINES = {
    "ES": ("China to Spain standard (Correo… DDP", "China to Spain standard (Correos delive…"),
    "MX": ("China to Mexico standard (Corr… DDP", "China to Mexico standard (Correos de…"),
}


@pytest.mark.parametrize("recipient", [RECIPIENT_ES, RECIPIENT_MX], ids=["ES", "MX"])
def test_a_ddp_label_prints_a_boxed_ddp_beside_the_product_and_a_ddu_label_none(
    client: TestClient, merchant_key: str, recipient: dict[str, Any]
) -> None:
    ddp = book(client, merchant_key, recipient, "DDP")
    ddu = book(client, merchant_key, recipient, "DDU")

    ddp_pdf = pdf_text(label(client, merchant_key, ddp["id"], "pdf"))[0]
    ddu_pdf = pdf_text(label(client, merchant_key, ddu["id"], "pdf"))[0]
    assert (ddp_pdf.splitlines()[0], ddu_pdf.splitlines()[0]) == FIRST_LINES[recipient["country"]]
    assert "DDP" not in ddu_pdf
    ddp_zpl = label(client, merchant_key, ddp["id"], "zpl").decode("utf-8")
    ddu_zpl = label(client, merchant_key, ddu["id"], "zpl").decode("utf-8")
    assert zpl_text(ddp_zpl).splitlines()[1] == "DDP"  # the field after the product name
    assert "^FO406,25^GB73,37,3^FS^FO412,35^FB62,1,0,C^A0N,25^FDDDP^FS" in ddp_zpl
    assert "DDP" not in zpl_text(ddu_zpl).splitlines()
    # The PNG draws the same box and letters as any DDP label's, and the DDU one does not.
    reference = ddp_box(render_png(replace(sample_label(), incoterm=Incoterm.DDP)))
    assert ddp_box(label(client, merchant_key, ddp["id"], "png")) == reference
    assert ddp_box(label(client, merchant_key, ddu["id"], "png")) != reference


def test_a_phone_extension_prints_after_the_phone_on_every_format(
    client: TestClient, merchant_key: str
) -> None:
    recipient = {**RECIPIENT_ES, "phone": "+34 612 345 678 ext. 23"}
    shipment = book(client, merchant_key, recipient, "DDU")
    assert (shipment["recipient"]["phone"], shipment["recipient"]["phone_extension"]) == (
        "+34612345678",
        "23",
    )

    pdf = words(pdf_text(label(client, merchant_key, shipment["id"], "pdf"))[0])
    zpl = zpl_text(label(client, merchant_key, shipment["id"], "zpl").decode("utf-8"))

    assert "Tel +34612345678 ext. 23" in pdf
    assert "Tel +34612345678 ext. 23" in zpl.splitlines()
    without = book(client, merchant_key, RECIPIENT_ES, "DDU")
    plain = zpl_text(label(client, merchant_key, without["id"], "zpl").decode("utf-8"))
    assert "Tel +34612345678" in plain.splitlines()
    assert "ext." not in plain
