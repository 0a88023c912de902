"""The folder's fixtures: a PDF made at test time, and a submitter of reports into a circuit."""

import io

import pytest

from saas.workflow import operations as engine
from tests.fixtures.pdfs import clean_pdf


@pytest.fixture
def pdf(tmp_path):
    return lambda name="r.pdf", pages=1: io.BytesIO(clean_pdf(tmp_path / name, pages=pages).read_bytes())


@pytest.fixture
def submitted(make_report, acting):
    """Submit a new report of ``place`` into its circuit, as its drafter; returns the run."""

    def submit(place, title="Rapport", **values):
        report = make_report(place, title=title, **values)
        with acting(place.drafter, place.tenant):
            return engine.submit(report, place.drafter)

    return submit
