"""Run the moto AWS emulator as a server on loopback and announce where it listens.

    launch.py --ready-file PATH [--port 0] [--die-with-parent]

The port defaults to 0: the kernel picks a free one, so parallel test files never race for a
port. Once the server accepts connections, the chosen endpoint is written to the ready file as
JSON (atomically: written beside it, then renamed), which is how the caller learns the port
whether or not it reads this process's output.

--die-with-parent asks the kernel to send SIGTERM when the parent process dies, even by SIGKILL:
a crashed or killed test run can then never leave an emulator behind.
"""

import argparse
import ctypes
import json
import os
import signal
import sys
import threading

LOOPBACK = {"127.0.0.1", "::1", "localhost"}
PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The parent may have died between fork and prctl: then we were already re-parented.
    if os.getppid() == 1:
        sys.exit(0)


def write_ready_file(path: str, host: str, port: int) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump({"host": host, "port": port, "pid": os.getpid()}, handle)
    os.replace(tmp, path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", required=True)
    parser.add_argument("--die-with-parent", action="store_true")
    args = parser.parse_args()

    if args.host not in LOOPBACK:
        parser.error(f"refusing to listen on {args.host}: the emulator is bound to loopback only")
    if args.die_with_parent:
        die_with_parent()

    # Every moto internal the patches below (and this launcher) rely on must exist in the installed
    # moto, or the emulator would start without some of its fixes: exit 3 naming what is missing.
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.insert(0, here)
    import moto_internals

    moto_internals.check()

    # Imported after the checks above: moto takes about a second to import.
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    # The project's additions to moto live beside this file and patch it when imported, before
    # the first template is parsed: CloudFormation types moto lacks (extensions/), change-set
    # execution that behaves like CloudFormation's (change_set_fidelity.py), and the EKS call
    # eksctl makes before validating a ClusterConfig (eks_cluster_versions.py), the VPC EKS
    # reports for a cluster (eks_cluster_vpc.py), add-ons and version upgrades (eks_upgrades.py),
    # and VPCs built by stacks as EC2 holds them (vpc_fidelity.py).
    # EKS access entries and the cluster's authentication mode (eks_access_entries.py).
    # Stack drift detection (drift_detection.py), and the template properties it compares that
    # moto would otherwise not apply (drift_fidelity.py).
    # Stack deletion as CloudFormation's, termination protection included (stack_deletion.py), and
    # stack policies enforced (stack_protection.py, after change_set_fidelity: it wraps that
    # module's execution).
    import change_set_fidelity  # noqa: F401
    import drift_detection  # noqa: F401
    import drift_fidelity  # noqa: F401
    import eks_access_entries  # noqa: F401
    import eks_cluster_versions  # noqa: F401
    import eks_cluster_vpc  # noqa: F401
    import eks_upgrades  # noqa: F401
    import extensions  # noqa: F401
    import stack_deletion  # noqa: F401
    import stack_protection  # noqa: F401
    import vpc_fidelity  # noqa: F401

    # Bind here, in the main thread, rather than through moto's ThreadedMotoServer: there a
    # bind error (port taken) dies inside the server thread and start() waits forever.
    try:
        server = make_server(
            args.host,
            args.port,
            DomainDispatcherApplication(create_backend_app),
            threaded=True,
            request_handler=MotoRequestHandler,
        )
    except OSError as error:
        print(f"cannot listen on {args.host}:{args.port}: {error.strerror}", file=sys.stderr, flush=True)
        return 1
    host, port = server.server_address[:2]

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    serving.start()
    write_ready_file(args.ready_file, str(host), port)
    print(f"moto emulator listening on http://{host}:{port}", flush=True)

    # A timed wait lets the main thread run the signal handler promptly.
    while not stopping.wait(0.2):
        pass
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
