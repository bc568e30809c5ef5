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


def unpct(text: str) -> bytes:
    """Decodes a name pct encoded."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i] == "%":
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            out.append(ord(text[i]))
            i += 1
    return bytes(out)


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

    def ask(self, line):
        """Sends one control line; returns the answer, whatever it is."""
        self.p.stdin.write((line + "\n").encode())
        self.p.stdin.flush()
        return self.p.stdout.readline().decode().strip()

    def cmd(self, line):
        """Sends one control line; returns the answer, which must be ok."""
        answer = self.ask(line)
        if not answer.startswith("ok"):
            raise AssertionError("fake router: %s -> %s" % (line, answer))
        return answer

    def truth(self, router):
        """{interface name (bytes): [truth_rx, truth_tx]}: the bytes the
        router's interfaces really carried, from `counters ROUTER`."""
        out, name = {}, None
        for word in self.cmd("counters %s" % router).split()[1:]:
            key, value = word.split("=", 1)
            if key == "name":
                name = unpct(value)
            elif key == "truth_rx":
                out[name] = [int(value), 0]
            elif key == "truth_tx":
                out[name][1] = int(value)
        return out

    def stop(self):
        """Closes the control channel (the fake exits) and waits for it."""
        if self.p.poll() is None:
            self.p.stdin.close()
            self.p.wait(timeout=10)
