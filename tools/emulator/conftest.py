"""Fixtures shared by the emulator extensions' tests (test_extensions*.py), run under pytest:

    .tools/venv/bin/python -m pytest -q tools/emulator/test_extensions.py

Each test file gets its own emulator, started through launch.py on a free port and stopped after
the file's last test.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import boto3
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="module")
def emulator_port():
    """The port of an emulator of this test file's own, stopped after its last test."""
    workdir = tempfile.mkdtemp(prefix="emulator-smoke-")
    ready = os.path.join(workdir, "ready.json")
    with open(os.path.join(workdir, "emulator.log"), "w") as log:
        emulator = subprocess.Popen([sys.executable, os.path.join(HERE, "launch.py"), "--ready-file", ready], stdout=log, stderr=log)
        try:
            for _ in range(300):
                if os.path.exists(ready) or emulator.poll() is not None:
                    break
                time.sleep(0.1)
            if not os.path.exists(ready):
                log.flush()
                with open(log.name) as written:
                    raise RuntimeError(f"the emulator did not start; its log:\n{written.read()}")
            with open(ready) as ready_file:
                port = json.load(ready_file)["port"]
            yield port
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)


@pytest.fixture(scope="module")
def client(emulator_port):
    """client("s3") -> a boto3 client of that service talking to the emulator."""
    session = boto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1")
    clients = {}

    def make(service):
        if service not in clients:
            clients[service] = session.client(service, endpoint_url=f"http://127.0.0.1:{emulator_port}")
        return clients[service]

    return make


@pytest.fixture(scope="module")
def cfn(client):
    return client("cloudformation")
