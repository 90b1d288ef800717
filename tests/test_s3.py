"""Uploaded media on S3-compatible object storage, against moto's standalone S3 server.

The server (``moto_server``, from the dev extra) runs on 127.0.0.1 for this module only; the
storage is django-storages' S3Storage as the settings configure it from the environment.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
BUCKET = "notes-media"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto_server on a free loopback port; stopped after the module."""
    binary = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    if binary is None:
        pytest.skip("moto_server is not installed (dev extra: moto[server])")
    port = free_port()
    process = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("moto_server did not start")
    yield endpoint
    process.terminate()
    process.wait(10)


@pytest.fixture
def s3_media(s3_endpoint, settings, monkeypatch):
    """A fresh bucket, and the default storage pointed at it the way the settings do."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "file_overwrite": False,
                "default_acl": None,
            },
        },
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def png(color="teal"):
    output = BytesIO()
    Image.new("RGB", (40, 30), color).save(output, "PNG")
    return output.getvalue()


def upload(client, data):
    return client.post(
        "/markdownx/upload/", {"image": SimpleUploadedFile("a.png", data, "image/png")}
    )


def test_the_settings_switch_to_s3_when_a_bucket_is_set():
    code = "from django.conf import settings; import json; print(json.dumps(settings.STORAGES))"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "notes_site.settings.base",
        "AWS_STORAGE_BUCKET_NAME": "media-bucket",
        "AWS_S3_ENDPOINT_URL": "http://minio:9000",
        "AWS_LOCATION": "site",
    }
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    default = json.loads(output)["default"]
    assert default["BACKEND"] == "storages.backends.s3.S3Storage"
    assert default["OPTIONS"]["bucket_name"] == "media-bucket"
    assert default["OPTIONS"]["endpoint_url"] == "http://minio:9000"
    assert default["OPTIONS"]["location"] == "site"
    assert default["OPTIONS"]["file_overwrite"] is False


def test_local_files_stay_the_default(settings):
    assert settings.STORAGES["default"]["BACKEND"] == (
        "django.core.files.storage.FileSystemStorage"
    )


@pytest.mark.django_db
def test_an_upload_lands_in_the_bucket_and_is_served_by_the_site(staff_client, client, s3_media):
    data = png()
    response = upload(staff_client, data)
    assert response.status_code == 200, response.content
    url = response.json()["image_code"][len("![](") : -1]
    assert url.startswith("/media/markdownx/") and url.endswith(".png")

    [stored] = s3_media.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert stored["Key"] == "markdownx/" + url.rsplit("/", 1)[1]
    body = s3_media.get_object(Bucket=BUCKET, Key=stored["Key"])["Body"].read()
    with Image.open(BytesIO(body)) as image:
        assert image.format == "PNG" and image.size == (40, 30)

    # Another web server has no local copy: the page reads the object from the bucket.
    served = client.get(url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == body


@pytest.mark.django_db
def test_a_missing_object_is_a_404(client, s3_media):
    assert client.get("/media/markdownx/" + "0" * 32 + ".png").status_code == 404


@pytest.mark.django_db
def test_an_object_store_that_refuses_the_write_fails_the_upload_clearly(
    staff_client, s3_media, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "no-such-bucket"},
        },
    }
    response = upload(staff_client, png("red"))
    assert response.status_code == 503
    assert response.json() == {"image": ["图片没有保存：存储暂时不可用，请稍后再试。"]}
    assert "Contents" not in s3_media.list_objects_v2(Bucket=BUCKET)
