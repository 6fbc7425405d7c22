"""The action server in one process: `python -m actions.server --port 5055`.

rasa-sdk's own entry point (`python -m rasa_sdk --actions actions`) serves through Sanic's
worker manager: a first process imports every action module, then starts a second one
that imports them all again and serves. The first only waits, yet held 200 of the action
server's 455 MB (`./iesmed bench chat`, docs/DECISIONS.md, session 15). Here the same
Sanic application rasa-sdk builds (`create_app_for_serve`: /health, /webhook, /actions,
the keep-alive it sets) is served by the process that imported the actions. The process
supervisor (ops/supervisor.py, or the container runtime) restarts it if it stops, which
is what Sanic's manager would do.

Takes rasa-sdk's command-line options (`--port`, `--actions`, `--cors`, `--ssl-*`,
`--endpoints`, logging); `--auto-reload` and gRPC need rasa-sdk's own entry point.
With IESMED_WARM_UP=1 every language's matchers are built in a thread while Rasa loads
(actions/extraction.py).
"""

from __future__ import annotations

import logging
import os
import threading


def main(argv: list[str] | None = None) -> None:
    """Parse rasa-sdk's options, register the actions, serve in this process."""
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import (
        create_app_for_serve,
        create_argument_parser,
        create_ssl_config,
    )
    from rasa_sdk.executor import ActionExecutor

    args = create_argument_parser().parse_args(argv)  # type: ignore[no-untyped-call]
    if args.grpc or args.auto_reload:
        raise SystemExit("actions.server: --grpc and --auto-reload need `python -m rasa_sdk`")
    utils.configure_colored_logging(args.loglevel)  # type: ignore[no-untyped-call]
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
                                 args.log_file, args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()

    executor = ActionExecutor()
    executor.register_package(args.actions_module or args.actions)
    app = create_app_for_serve(executor, cors_origins=args.cors, endpoints=args.endpoints)
    if os.environ.get("IESMED_WARM_UP") == "1":
        from actions.extraction import warm_up

        threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    # rasa-sdk's default: all interfaces (a container's network); the launcher sets loopback.
    host = os.environ.get("SANIC_HOST", "0.0.0.0")  # noqa: S104
    app.run(host=host, port=args.port,
            ssl=create_ssl_config(args.ssl_certificate, args.ssl_keyfile, args.ssl_password),
            single_process=True)


if __name__ == "__main__":
    main()
