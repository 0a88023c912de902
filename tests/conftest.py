"""The suite's fixtures, loaded as plugins from ``tests/fixtures/`` (one module per concern).

Embedded column (default): SQLite, inline jobs, mail outbox. Production column
(QUORUM_TEST_PROFILE=production): PostgreSQL through a non-owner role with row-level security, Redis
with real RQ workers, SMTP on loopback. A folder's own ``conftest.py`` holds only the fixtures of that
folder (its ``world``); nothing is imported from a conftest.
"""

pytest_plugins = [
    "tests.fixtures.app",
    "tests.fixtures.clock",
    "tests.fixtures.people",
    "tests.fixtures.storage",
    "tests.fixtures.sittings",
    "tests.fixtures.documents",
    "tests.fixtures.annotations",
    "tests.fixtures.signing",
    "tests.fixtures.trust",
    "tests.fixtures.workflow",
    "tests.fixtures.browser",
]
