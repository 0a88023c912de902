"""Where encrypted objects live: files under ``instance/files`` or an S3-compatible bucket (minio SDK).

Both backends only ever see ciphertext. A new object is first written to a local spool file (the
temporary object), then ``put`` under its final name in one step: a rename on the same file system, or
one S3 upload, so a reader never sees half an object.
"""

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import current_app

from saas.storage.crypto import IntegrityError, StorageError

KEY_PATTERN = re.compile(r"^[0-9a-z]+(/[0-9a-z]+)*$")


def _check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ValueError(f"invalid object key {key!r}")
    return key


class Backend(Protocol):
    #: local folder for spool files (temporary objects) before they are put in place
    spool_dir: Path

    def put(self, key: str, path: Path) -> None: ...

    def read_range(self, key: str, offset: int, length: int) -> contextlib.AbstractContextManager[BinaryIO]: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def keys(self, prefix: str = "") -> Iterator[str]: ...


@contextlib.contextmanager
def spool_file(backend: Backend) -> Iterator[tuple[BinaryIO, Path]]:
    """A temporary file in the backend's spool folder, removed on leaving whatever happened."""
    backend.spool_dir.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=backend.spool_dir, prefix="spool-", delete=False)
    path = Path(handle.name)
    try:
        with handle:
            yield handle, path
    finally:
        path.unlink(missing_ok=True)


class _Window:
    """At most ``length`` bytes of a file object, from where it stands."""

    def __init__(self, handle: BinaryIO, length: int):
        self.handle, self.left = handle, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data


class LocalBackend:
    """Objects as files under one folder (the embedded default: ``instance/files``)."""

    def __init__(self, root: Path):
        self.root = root
        self.spool_dir = root / ".spool"

    def _path(self, key: str) -> Path:
        return self.root / _check_key(key)

    def put(self, key: str, path: Path) -> None:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)

    @contextlib.contextmanager
    def read_range(self, key: str, offset: int, length: int):
        try:
            handle = self._path(key).open("rb")
        except FileNotFoundError:
            raise IntegrityError("Le fichier stocké est introuvable : sa lecture est refusée.") from None
        with handle:
            handle.seek(offset)
            yield _Window(handle, length)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def keys(self, prefix: str = "") -> Iterator[str]:
        base = self.root / prefix if prefix else self.root
        for path in sorted(base.rglob("*")) if base.exists() else ():
            relative = path.relative_to(self.root).as_posix()
            if path.is_file() and not relative.startswith(".spool/"):
                yield relative


class S3Backend:
    """Objects in an S3 bucket (MinIO in production), reached with signed requests; the bucket is created
    if it does not exist."""

    def __init__(self, client, bucket: str, prefix: str, spool_dir: Path):
        import urllib3

        self.client, self.bucket, self.prefix, self.spool_dir = client, bucket, prefix, spool_dir
        self.http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=300))
        if not client.bucket_exists(bucket):
            from minio.error import S3Error

            try:
                client.make_bucket(bucket)
            except S3Error as error:
                if error.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise

    def _name(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def put(self, key: str, path: Path) -> None:
        """One signed PUT whose body is streamed from the spool file: the SDK's own upload holds several
        5 MiB parts in memory at once, this holds a few kilobytes (single PUTs go up to 5 GiB)."""
        url = self.client.presigned_put_object(self.bucket, self._name(key), expires=timedelta(minutes=30))
        with path.open("rb") as body:
            response = self.http.request(
                "PUT", url, body=body, headers={"Content-Length": str(path.stat().st_size)}, retries=False
            )
        if response.status != 200:
            raise StorageError(f"Le stockage S3 a refusé l'écriture ({response.status}) : {response.data[:300]!r}")

    @contextlib.contextmanager
    def read_range(self, key: str, offset: int, length: int):
        from minio.error import S3Error

        try:
            response = self.client.get_object(self.bucket, self._name(key), offset=offset, length=length)
        except S3Error as error:
            if error.code in {"NoSuchKey", "InvalidRange"}:
                raise IntegrityError("Le fichier stocké est introuvable ou tronqué : sa lecture est refusée.") from None
            raise
        try:
            yield response
        finally:
            response.close()
            response.release_conn()

    def delete(self, key: str) -> None:
        self.client.remove_object(self.bucket, self._name(key))

    def exists(self, key: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, self._name(key))
        except S3Error as error:
            if error.code in {"NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def keys(self, prefix: str = "") -> Iterator[str]:
        for item in self.client.list_objects(self.bucket, prefix=self.prefix + prefix, recursive=True):
            yield item.object_name[len(self.prefix) :]


def from_config(config: dict, instance_path: Path) -> Backend:
    url = config["STORAGE_URL"]
    if not url:
        return LocalBackend(instance_path / "files")
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise StorageError(f"STORAGE_URL doit être vide ou de la forme s3://bucket[/préfixe] (reçu : {url}).")
    from minio import Minio

    client = Minio(
        config["S3_ENDPOINT"],
        access_key=config["S3_ACCESS_KEY"],
        secret_key=config["S3_SECRET_KEY"],
        secure=bool(config["S3_SECURE"]),
    )
    prefix = parts.path.strip("/")
    return S3Backend(client, parts.netloc, prefix + "/" if prefix else "", instance_path / "spool")


def backend() -> Backend:
    """The application's backend, built once per configuration (tests switch configurations)."""
    config = current_app.config
    signature = tuple(
        config[name] for name in ("STORAGE_URL", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_SECURE")
    )
    cached = current_app.extensions.get("quorum_storage")
    if cached is None or cached[0] != signature:
        cached = (signature, from_config(config, Path(current_app.instance_path)))
        current_app.extensions["quorum_storage"] = cached
    return cached[1]
