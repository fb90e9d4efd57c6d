"""Reading back what a reply attached: a PDF's text and images, a QR code's text."""

from __future__ import annotations

import base64
import io

import zxingcpp
from PIL import Image
from pypdf import PdfReader

from dialogs.messages import Attachment, Reply


def attachments(replies: list[Reply]) -> list[Attachment]:
    return [reply.attachment for reply in replies if reply.attachment is not None]


def data(attachment: Attachment) -> bytes:
    return base64.b64decode(attachment.data_b64, validate=True)


def pdf_text(attachment: Attachment) -> str:
    """The PDF's text, its no-break spaces read as spaces."""
    assert attachment.media_type == "application/pdf", attachment.media_type
    reader = PdfReader(io.BytesIO(data(attachment)))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def pdf_images(attachment: Attachment) -> list[Image.Image]:
    reader = PdfReader(io.BytesIO(data(attachment)))
    return [image.image for page in reader.pages for image in page.images if image.image]


def qr_texts(images: list[Image.Image]) -> list[str]:
    """The texts of every QR code found in the images."""
    found = []
    for image in images:
        for barcode in zxingcpp.read_barcodes(image.convert("L")):
            found.append(barcode.text)
    return found


def png_qr_texts(attachment: Attachment) -> list[str]:
    assert attachment.media_type == "image/png", attachment.media_type
    return qr_texts([Image.open(io.BytesIO(data(attachment)))])
