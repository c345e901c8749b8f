"""A filing request's documents: the checks on the uploads (type, size, content, the required kinds)
and their storage. Part of ``services.filings`` (which re-exports the public names).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from sifu.accounts.models import User
from sifu.incubation.models import Filing, FilingDocument

MAX_DOCUMENTS = 10

# The first bytes of each accepted file type, so a renamed or damaged file is refused with a reason.
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "xls": (b"\xd0\xcf\x11\xe0",),
}


def _looks_like(upload: UploadedFile, extension: str) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    return any(head.startswith(signature) for signature in _SIGNATURES.get(extension, ()))


def document_problems(documents: Iterable[tuple[str, UploadedFile]], *, required: Iterable[str] = ()) -> list[str]:
    """Every problem with the attached files, each naming the file: type, emptiness, size, content;
    then the required documents that are missing. Empty when the files can be stored."""
    documents = list(documents)
    limit = settings.SIFU_MAX_UPLOAD_BYTES
    problems: list[str] = []
    if len(documents) > MAX_DOCUMENTS:
        problems.append(
            _("Attach at most %(max)d files at once; you attached %(count)d.")
            % {"max": MAX_DOCUMENTS, "count": len(documents)}
        )
    for kind, upload in documents:
        name = upload.name or "?"
        extension = PurePosixPath(name).suffix.lower().lstrip(".")
        if kind not in FilingDocument.Kind.values:
            problems.append(_("“%(name)s”: unknown kind of document.") % {"name": name})
        elif extension not in FilingDocument.EXTENSIONS:
            problems.append(
                _("“%(name)s” is not an accepted file type: attach PDF, Word, Excel or image files (%(types)s).")
                % {"name": name, "types": ", ".join(FilingDocument.EXTENSIONS)}
            )
        elif not upload.size:
            problems.append(_("“%(name)s” is empty.") % {"name": name})
        elif upload.size > limit:
            problems.append(
                _(
                    "“%(name)s” is %(size)s; files up to %(limit)s are accepted. "
                    "Scan at a lower resolution or save it as PDF."
                )
                % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
            )
        elif not _looks_like(upload, extension):
            problems.append(
                _("“%(name)s” does not look like a .%(ext)s file: it may be damaged or wrongly named.")
                % {"name": name, "ext": extension}
            )
    attached = {kind for kind, _upload in documents}
    missing = [str(FilingDocument.Kind(kind).label) for kind in required if kind not in attached]
    if missing:
        problems.append(_("Attach the required documents: %(list)s.") % {"list": "; ".join(missing)})
    return problems


def _store_documents(
    filing: Filing, documents: list[tuple[str, UploadedFile]], *, by: User, at: dt.datetime
) -> list[FilingDocument]:
    """Store the uploads and their rows. Called as a service's last step, so nothing refused afterwards
    leaves files behind; if storing itself fails, the files stored so far are removed again."""
    stored: list[FilingDocument] = []
    try:
        for kind, upload in documents:
            extension = PurePosixPath(upload.name or "").suffix.lower()
            doc = FilingDocument(
                filing=filing,
                kind=kind,
                original_name=(upload.name or "")[:200],
                size=upload.size or 0,
                round=filing.round,
                uploaded_by=by,
                uploaded_at=at,
            )
            # Stored under a plain name (the kind); the name the applicant gave is kept for downloads.
            doc.file.save(f"{kind}{extension}", upload, save=False)
            stored.append(doc)
            doc.save()
    except BaseException:
        for doc in stored:
            doc.file.delete(save=False)
        raise
    return stored
