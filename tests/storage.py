"""Stored files as the tests see them: through Django's storage API, whatever the backend.

The SQLite pass stores on the filesystem (MEDIA_ROOT, which tests point at a tmp_path);
the PostgreSQL pass of `make test` in an S3 bucket (scripts/with-s3.sh), where each test
gets a key prefix of its own (tests/conftest.py), so a test counts only its own files.
"""

import posixpath
import uuid

from django.core.files.storage import default_storage

S3 = "storages.backends.s3.S3Storage"


def on_s3(storages: dict) -> bool:
    return storages["default"]["BACKEND"] == S3


def stored_files(directory: str = "") -> list[str]:
    """Every file stored under `directory`, as storage names, sorted."""
    try:
        directories, files = default_storage.listdir(directory)
    except FileNotFoundError:  # a MEDIA_ROOT nothing was written to yet
        return []
    names = [posixpath.join(directory, name) for name in files]
    for sub in directories:
        names += stored_files(posixpath.join(directory, sub))
    return sorted(names)


def with_own_prefix(storages: dict, label: str = "test") -> dict:
    """STORAGES with the S3 storage pointed at a fresh key prefix of the bucket."""
    default = storages["default"]
    options = default.get("OPTIONS", {})
    prefix = posixpath.join(options.get("location", ""), f"{label}-{uuid.uuid4().hex}")
    return {**storages, "default": {**default, "OPTIONS": {**options, "location": prefix}}}
