"""One boot on a labgrid place, for culprit's labgrid executor.

culprit writes this file into its state directory and runs it with the lab's Python for
each test of a step. It loads the user's environment YAML, points its QEMUDriver at the
step's artifacts (kernel, initrd, device tree, command line: all from argv, never from
code), checks that the place is acquired by this user, powers on, and copies the
console to stdout, unbuffered, until the guest's QEMU exits or culprit ends the boot.
SIGTERM (culprit's verdict, timeout or Ctrl-C) powers off before exiting.

stdout is the console, byte for byte; stderr is this helper speaking to culprit, each
line starting with "culprit-labgrid:". "powered on" starts culprit's clocks; "infra:"
says the lab, not the guest, failed the boot.
"""

import argparse
import os
import shlex
import signal
import sys

SAID = "culprit-labgrid:"


def say(text):
    sys.stderr.write(f"{SAID} {text}\n")
    sys.stderr.flush()


def infra(text):
    say(f"infra: {text}")
    sys.exit(3)


class Ended(Exception):
    """culprit sent SIGTERM (or SIGINT, SIGHUP): power off and go."""


def ended(signum, _frame):
    raise Ended(signum)


class TooSlow(Exception):
    """The place did not power on in time (a coordinator that does not answer)."""


def too_slow(_signum, _frame):
    raise TooSlow()


def arguments():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env", required=True, help="the labgrid environment YAML")
    parser.add_argument("--target", default="main", help="the target in the YAML")
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--initrd")
    parser.add_argument("--dtb")
    parser.add_argument("--append", help="the kernel command line")
    parser.add_argument(
        "--power-on-timeout",
        type=int,
        default=60,
        help="seconds the place gets to power on before the boot is a lab fault",
    )
    return parser.parse_args()


def qemu_of(args):
    from labgrid import Environment

    try:
        env = Environment(config_file=args.env)
        target = env.get_target(args.target)
    except Exception as err:
        infra(f"cannot load the environment {args.env}: {err}")
    if target is None:
        infra(f"the environment {args.env} has no target {args.target!r}")
    images = env.config.data.setdefault("images", {})
    images["culprit-kernel"] = args.kernel
    try:
        qemu = target.get_driver("QEMUDriver", activate=False)
    except Exception as err:
        infra(f"target {args.target!r} of {args.env} has no QEMUDriver: {err}")
    qemu.kernel = "culprit-kernel"
    if args.dtb:
        images["culprit-dtb"] = args.dtb
        qemu.dtb = "culprit-dtb"
    if args.initrd:
        qemu.extra_args = f"{qemu.extra_args} -initrd {shlex.quote(args.initrd)}"
    if args.append is not None:
        qemu.boot_args = args.append
    return target, qemu


def acquired(target):
    """The place is ours: RemotePlace makes its resources available only to the user
    who acquired it."""
    for resource in target.resources:
        if type(resource).__name__ != "RemotePlace":
            continue
        try:
            target.await_resources([resource], timeout=10.0)
        except Exception as err:
            infra(f"place {resource.name!r} is not acquired by this user: {err}")


def stream(qemu):
    """Copies the console to stdout until QEMU exits; returns its exit status."""
    out = sys.stdout.buffer
    while True:
        try:
            data = qemu.read(size=4096, timeout=0.2)
        except Exception as err:
            if type(err).__name__ == "TIMEOUT":
                continue
            raise
        if data:
            out.write(data)
            out.flush()
            continue
        child = qemu._child
        code = child.wait() if child is not None else 0
        qemu._child = None
        qemu.status = 0
        return code


def power_off(qemu):
    """Quits QEMU through its monitor, or kills it when the monitor does not answer
    (QEMU in the middle of starting, or already hit by the same SIGTERM)."""
    try:
        if qemu.status:
            qemu.off()
            return
    except Exception:
        pass
    child = qemu._child
    if child is not None and child.poll() is None:
        child.kill()
        child.wait()


def main():
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, ended)
    args = arguments()
    if not os.path.isfile(args.env):
        infra(f"the environment file {args.env} does not exist")
    code = 0
    qemu = None
    signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(args.power_on_timeout)
    try:
        target, qemu = qemu_of(args)
        acquired(target)
        target.activate(qemu)
        qemu.on()
        signal.alarm(0)
        say("powered on")
        code = stream(qemu)
    except Ended:
        code = 143
    except TooSlow:
        say(f"infra: the place did not power on within {args.power_on_timeout} s")
        code = 3
    finally:
        if qemu is not None and getattr(qemu, "_child", None) is not None:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            power_off(qemu)
            say("powered off")
    sys.exit(code)


if __name__ == "__main__":
    main()
