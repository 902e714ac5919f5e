"""`ner-cli serve`: the pipeline as a warm HTTP service (README, "Service: `ner-cli serve`")."""

from __future__ import annotations

import signal
import socket
from typing import Annotated

import typer

from ner_cli.cli.options import TOKEN_ENV, command
from ner_cli.errors import ExitStatus, ServiceError, UsageError, os_reason
from ner_cli.options import PipelineOptions

SERVICE_PANEL = "Service"
INSTALL = "pip install 'ner-cli[serve]'"


@command("serve")
def serve_cli(
    host: Annotated[
        str,
        typer.Option("--host", metavar="HOST", rich_help_panel=SERVICE_PANEL,
                     help="Address to listen on; one that is not loopback needs --token or "
                     "--no-auth."),
    ] = "127.0.0.1",
    port: Annotated[
        int,
        typer.Option("--port", metavar="PORT", min=0, max=65535, rich_help_panel=SERVICE_PANEL,
                     help="Port to listen on (0: a free one, shown when ready)."),
    ] = 8000,
    token: Annotated[
        str | None,
        typer.Option("--token", metavar="TOKEN", envvar=TOKEN_ENV, show_envvar=True,
                     rich_help_panel=SERVICE_PANEL,
                     help="Bearer token every request but GET /healthz must carry."),
    ] = None,
    no_auth: Annotated[
        bool,
        typer.Option("--no-auth", rich_help_panel=SERVICE_PANEL,
                     help="Listen on a non-loopback address without a token."),
    ] = False,
    max_body: Annotated[
        float,
        typer.Option("--max-body", metavar="MB", min=0.001, rich_help_panel=SERVICE_PANEL,
                     help="Largest request body, in megabytes (larger: 413)."),
    ] = 5.0,
    queue: Annotated[
        int,
        typer.Option("--queue", metavar="N", min=1, rich_help_panel=SERVICE_PANEL,
                     help="Batches of documents waiting or running before new requests get "
                     "503 with Retry-After."),
    ] = 64,
    timeout: Annotated[
        float,
        typer.Option("--timeout", metavar="SECONDS", min=0.001, rich_help_panel=SERVICE_PANEL,
                     help="Longest wait for a batch of documents (over it: 504)."),
    ] = 30.0,
    pipeline: PipelineOptions = PipelineOptions(),
) -> ExitStatus:
    """Serve the pipeline over HTTP: POST /v1/extract, GET /v1/info, /healthz, /openapi.json.

    Example: ner-cli serve --port 8000 -j 2
    """
    from ner_cli.cli.app import note

    if token is not None and no_auth:
        raise UsageError("--token and --no-auth exclude each other")
    if pipeline.cluster is not None:
        raise UsageError("--cluster runs extract, stats and graph on a Dask cluster; "
                         "ner-cli serve runs its own worker processes (-j)")
    if token is not None and not token.strip():
        raise UsageError(f"--token ({TOKEN_ENV}) is empty")
    if not (is_loopback(host) or token is not None or no_auth):
        raise UsageError(f"--host {host} is not a loopback address: give --token TOKEN (or "
                         f"set {TOKEN_ENV}), or --no-auth to serve anyone who can reach it")
    try:
        import uvicorn

        from ner_cli.service import Limits, Workers, create_app
    except ImportError as error:
        raise UsageError(f"ner-cli serve needs the serve extra ({error.name} is missing): "
                         f"{INSTALL}") from None

    listening = listen(host, port)  # before the model loads: a taken port fails at once
    workers = Workers(pipeline)
    # SIGTERM (a service manager's stop): the same clean stop as Ctrl-C, then exit 0
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        workers.start()
        limits = Limits(max_body=round(max_body * 1024 * 1024), queue=queue, timeout=timeout)
        app = create_app(workers, limits, token)
        config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=5)
        ready = (f"ner-cli: serving {pipeline.model} at {url_of(listening)} "
                 f"({workers.jobs} {'worker' if workers.jobs == 1 else 'workers'}"
                 f"{', token required' if token else ''}); Ctrl-C stops")

        class Server(uvicorn.Server):
            async def startup(self, sockets=None) -> None:
                # said once uvicorn serves, and handles Ctrl-C and SIGTERM itself
                await super().startup(sockets=sockets)
                if self.started:
                    note(ready)

        server = Server(config)
        server.run(sockets=[listening])  # Ctrl-C: raised again here once it has stopped
    finally:
        signal.signal(signal.SIGTERM, previous)
        workers.close()
        listening.close()
    if not server.started:
        raise ServiceError("the service stopped before it started")
    return ExitStatus.OK


def _terminated(signum, frame) -> None:
    # uvicorn has stopped serving (it raises the signal again when done), or the model was
    # loading: the finally blocks close the workers on the way out
    raise typer.Exit(ExitStatus.OK)


def is_loopback(host: str) -> bool:
    """Every address ``host`` names is a loopback one (127.0.0.0/8, ::1)."""
    import ipaddress

    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return False  # listen() says why
    return bool(infos) and all(
        ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port`` and listening (connections wait in its backlog
    until the server accepts them)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except OSError as error:
        raise UsageError(f"--host {host}: {os_reason(error)}") from None
    listening = socket.socket(family, kind, proto)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
        listening.listen(2048)
    except OSError as error:
        listening.close()
        raise ServiceError(f"cannot listen on {host}:{port}: {os_reason(error)}") from None
    return listening


def url_of(listening: socket.socket) -> str:
    """The http URL of a listening socket (its real port, for --port 0)."""
    host, port = listening.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
