"""Start TensorBoard on the training logs, on 127.0.0.1 unless --host says otherwise.

    workshop tensorboard                    http://127.0.0.1:6006/ (or a free port if taken, said so)
    workshop tensorboard --logdir runs/ --port 7000    that port, or an error if it is taken
    workshop tensorboard --host 0.0.0.0     share it with the network: only when you mean to
"""


def add_arguments(p):
    p.add_argument("--logdir", help="the logs to show, a folder that exists (default logs/)")
    p.add_argument("--port", type=int, help="this port, or an error if it is taken (default: 6006, or a free port "
                   "if 6006 is taken)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")


def run(args) -> int:
    from workshop.tensorboard.server import serve  # TensorBoard itself starts in a child process
    return serve(args.logdir, args.host, args.port)
