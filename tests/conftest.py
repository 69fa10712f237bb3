"""Shared test helpers: the round trip every media type must pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import richtypes
from richtypes.core.media import deep_equal
from richtypes.core.schema import validate_document


def roundtrip_value(value: Any, root: Path) -> tuple[Any, Any]:
    """dump -> JSON text -> load; check the schema and equality; return (doc, decoded).

    The document goes through real JSON text (allow_nan=False) so anything that
    would not survive a file is caught here.
    """
    doc = richtypes.dump(value, root)
    text = json.dumps(doc, allow_nan=False)
    validate_document(json.loads(text))
    back = richtypes.load(json.loads(text), root)
    assert deep_equal(back, value), f"round trip changed the value:\n{value!r}\n{back!r}"
    again = richtypes.dump(back, root)
    assert again == doc, "re-encoding a decoded value gave a different document"
    return doc, back


@pytest.fixture
def roundtrip(tmp_path: Path):
    """``roundtrip(value) -> (doc, decoded)`` into a fresh store under tmp_path."""
    return lambda value: roundtrip_value(value, tmp_path / "store")


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API on loopback: moto's standalone server on a free port (session-wide).

    Yields the storage options an s3fs client needs to reach it (dummy
    credentials, no instance-metadata lookups, nothing leaves 127.0.0.1).
    """
    import os

    pytest.importorskip("s3fs")
    from moto.server import ThreadedMotoServer

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield {
            "endpoint_url": f"http://{host}:{port}",
            "key": "testing",
            "secret": "testing",
            "client_kwargs": {"region_name": "us-east-1"},
        }
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def s3_bucket(s3_server):
    """``(url, storage_options)`` of a new empty bucket on the loopback S3 server."""
    import secrets

    import boto3

    bucket = "richtypes-" + secrets.token_hex(6)
    boto3.client(
        "s3", endpoint_url=s3_server["endpoint_url"], region_name="us-east-1"
    ).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/media", dict(s3_server)
