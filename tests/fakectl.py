"""Shared by the Python tests: the fake router as a child process driven
through its control channel (simulator/README.md), and free loopback
ports. Standard library only."""
import socket
import subprocess


def free_port():
    """A loopback TCP port nobody listens on now (parallel tests never clash)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(name: bytes) -> str:
    """Percent-encodes an interface name for the control channel."""
    return "".join(chr(b) if 0x21 <= b < 0x7F and b != 0x25 else "%%%02X" % b for b in name)


class FakeRouter:
    """Starts `binary ARGS...`, reads its `router ...` lines until `ready`.
    routers: name -> {"port", "transport", "flavour", ["fingerprint"]}."""

    def __init__(self, binary, args):
        self.p = subprocess.Popen([binary] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        self.routers = {}
        for line in self.p.stdout:
            words = line.decode().split()
            if words[0] == "ready":
                break
            f = dict(w.split("=", 1) for w in words[1:])
            self.routers[f["name"]] = f

    def cmd(self, line):
        """Sends one control line; returns the answer, which must be ok."""
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        answer = self.p.stdout.readline().decode().strip()
        if not answer.startswith("ok"):
            raise AssertionError("fake router: %s -> %s" % (line, answer))
        return answer

    def stop(self):
        """Closes the control channel (the fake exits) and waits for it."""
        if self.p.poll() is None:
            self.p.stdin.close()
            self.p.wait(timeout=10)
