"""Background work of the documents area: building a sitting's board book.

The job is idempotent and safe to run twice or late: it builds from the documents as they are when it
runs, and only writes its result if the row still asks for exactly those inputs (a newer upload queued
a newer build, which wins). Progress is committed step by step so the secretariat sees "n / N" from
another process while the worker runs.
"""

import logging

import sqlalchemy as sa

from saas.core.database import commit, utcnow
from saas.core.extensions import db
from saas.documents.board_book.operations import (
    BoardBook,
    BoardBookError,
    BoardBookStatus,
    book_parts,
    build_board_book,
    inputs_hash,
)
from saas.jobs.queues import job
from saas.sittings.models import Sitting
from saas.storage.operations import discard_if_unreferenced

log = logging.getLogger(__name__)
FAILED = "Le recueil n'a pas pu être constitué ; réessayez, et signalez-le si l'échec se répète."


def _row(sitting_id: int) -> BoardBook | None:
    return db.session.execute(
        sa.select(BoardBook).where(BoardBook.sitting_id == sitting_id).execution_options(populate_existing=True)
    ).scalar_one_or_none()


@job(queue="documents", timeout=3600)
def build_board_book_job(sitting_id: int) -> None:
    sitting = db.session.get(Sitting, sitting_id)
    book = _row(sitting_id) if sitting is not None else None
    if book is None:
        return
    digest = inputs_hash(sitting, book_parts(sitting))
    if book.inputs_hash != digest or (book.status == BoardBookStatus.READY and book.blob_id is not None):
        return  # outdated request (a newer one is queued) or already built: nothing to do
    book.status = BoardBookStatus.BUILDING
    commit(db.session)

    def progress(done: int, total: int) -> None:
        current = _row(sitting_id)
        if current is not None and current.inputs_hash == digest:
            current.progress_done, current.progress_total = done, total
            commit(db.session)

    try:
        blob = build_board_book(sitting, progress)
    except Exception as error:  # noqa: BLE001 — whatever went wrong, the row must say the build failed
        db.session.rollback()
        log.exception("board book of sitting %s failed", sitting_id)
        current = _row(sitting_id)
        if current is not None and current.inputs_hash == digest:
            current.status = BoardBookStatus.FAILED
            current.error = str(error) if isinstance(error, BoardBookError) else FAILED
        return
    current = _row(sitting_id)
    if current is None or current.inputs_hash != digest:
        discard_if_unreferenced(blob)  # the dossier changed while building; the newer build stores its own
        return
    current.blob_id = blob.id
    current.status = BoardBookStatus.READY
    current.built_at = utcnow()
