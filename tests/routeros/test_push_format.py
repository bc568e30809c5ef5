#!/usr/bin/env python3
"""The RouterOS scripts of routeros/, checked from outside a router.

No RouterOS runs here, so "valid RouterOS syntax" rests on review; this
test adds what a machine can check:

1. Static checks of every routeros/*.rsc: ASCII only, no tabs, no trailing
   blanks; quotes closed on their line and only known escapes inside them;
   (), [] and {} balanced outside strings and comments; no question mark
   anywhere without a backslash before it (the console would show help);
   no "$" inside a string without a backslash (no hidden interpolation);
   comments only as whole lines; every $variable declared somewhere
   (:local, :global, :foreach, :for) or a function argument ($1...);
   every /tool fetch sets check-certificate.
2. setup-push.rsc agrees with tikstat-push.rsc: its generated part is
   evaluated (a small evaluator for RouterOS string concatenation, with the
   script's own escaping function) and must give tikstat-push.rsc exactly,
   and with awkward settings (a token with "$" and a question mark, an
   interface name with quotes) a script whose settings read back unchanged.
3. The request: the URL, the http-data template, the urlEncode table and
   the /tool fetch parameters are taken from tikstat-push.rsc, filled with
   sample counters (above 2^32), an interface name with a space and + & = #
   %, and an uptime as RouterOS writes it (1w2d03:04:05), and sent as
   RouterOS 6 does (HTTP/1.0, "User-Agent: Mikrotik/6.49 Fetch", a form
   body) to a real tikstatd with a push router. The daemon must answer 204,
   and `tikstat --json` must show the second push's growth to the byte.
   The commented GET variant for RouterOS < 6.39 is sent too (204, counted),
   a wrong token gets 403 and stores nothing, and the legacy
   /traffic-receiver.php?tx=&rx=&ip=&token= answers 200 and writes ip_file.

    test_push_format.py --tikstatd PATH --tikstat PATH   # everything
    test_push_format.py --static-only                    # 1 and 2

Standard library only.
"""
import argparse
import os
import re
import socket
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import harness  # noqa: E402
from fakectl import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROUTEROS = os.path.normpath(os.path.join(HERE, "..", "..", "routeros"))
PUSH_RSC = os.path.join(ROUTEROS, "tikstat-push.rsc")
SETUP_RSC = os.path.join(ROUTEROS, "setup-push.rsc")
RSC_FILES = ["tikstat-push.rsc", "setup-push.rsc", "setup-api-user.rsc"]

def check(cond, what):
    """harness.check, which also prints the checks that pass."""
    if cond:
        print("ok   " + what)
    return harness.check(cond, what)


# ---------------------------------------------------------------- lexing

SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "$": "$", "?": "?", "n": "\n", "r": "\r",
                  "t": "\t", "_": " ", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def decode_literal(text, i):
    """Decodes the RouterOS string literal starting at text[i] == '"'.
    Returns (value, index after the closing quote); raises ValueError."""
    assert text[i] == '"'
    out = []
    i += 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch == "\\":
            nxt = text[i + 1:i + 2]
            if nxt in SIMPLE_ESCAPES:
                out.append(SIMPLE_ESCAPES[nxt])
                i += 2
                continue
            hx = text[i + 1:i + 3]
            if re.fullmatch(r"[0-9A-Fa-f]{2}", hx):
                out.append(chr(int(hx, 16)))
                i += 3
                continue
            raise ValueError("unknown escape \\%s" % nxt)
        if ch == "?":
            raise ValueError("unescaped question mark in a string")
        if ch == "$":
            raise ValueError("unescaped $ in a string (interpolation)")
        out.append(ch)
        i += 1
    raise ValueError("string not closed on its line")


def static_checks(name, text):
    lines = text.split("\n")
    where = lambda n: "%s:%d" % (name, n)
    ok = True
    try:
        text.encode("ascii")
    except UnicodeEncodeError:
        ok = check(False, "%s: ASCII only" % name)
    stack = []
    declared, used = set(), []
    for n, line in enumerate(lines, 1):
        if "\t" in line or "\r" in line:
            ok = check(False, "%s: no tab or CR" % where(n))
        if line != line.rstrip(" "):
            ok = check(False, "%s: no trailing blanks" % where(n))
        if "/tool fetch" in line and "check-certificate=" not in line:
            ok = check(False, "%s: /tool fetch sets check-certificate" % where(n))
        stripped = line.lstrip(" ")
        if stripped.startswith("#"):
            if re.search(r"(?<!\\)\?", line):
                ok = check(False, "%s: question mark in a comment without a backslash" % where(n))
            continue
        i = 0
        while i < len(line):
            ch = line[i]
            if ch == '"':
                try:
                    _, i = decode_literal(line, i)
                except ValueError as e:
                    ok = check(False, "%s: %s" % (where(n), e))
                    break
                continue
            if ch in "([{":
                stack.append((ch, n))
            elif ch in ")]}":
                want = {")": "(", "]": "[", "}": "{"}[ch]
                if not stack or stack[-1][0] != want:
                    ok = check(False, "%s: unbalanced %s" % (where(n), ch))
                else:
                    stack.pop()
            elif ch == "#":
                ok = check(False, "%s: comment after a command (RouterOS wants whole-line comments)" % where(n))
                break
            elif ch == "?":
                ok = check(False, "%s: question mark outside a string" % where(n))
            elif ch == "\\" and i == len(line) - 1:
                pass  # line continuation
            elif ch == "$":
                m = re.match(r"\$([A-Za-z][A-Za-z0-9]*|[0-9])", line[i:])
                if not m:
                    ok = check(False, "%s: bad variable reference" % where(n))
                else:
                    used.append((m.group(1), n))
                    i += len(m.group(0))
                    continue
            i += 1
        for m in re.finditer(r"(?::local|:global|:foreach|:for)\s+([A-Za-z][A-Za-z0-9]*)", line):
            declared.add(m.group(1))
    for ch, n in stack:
        ok = check(False, "%s: %s never closed" % (where(n), ch))
    for var, n in used:
        if not var.isdigit() and var not in declared:
            ok = check(False, "%s: $%s is never declared" % (where(n), var))
    check(ok, "%s: static checks (%d lines)" % (name, len(lines)))


# ------------------------------------------------------------ evaluating

def eval_concat(expr, env, funcs):
    """Evaluates a RouterOS concatenation: ("lit" . $var . [$fn $var] ...)."""
    s = expr.strip()
    if s.startswith("(") and s.endswith(")"):
        s = s[1:-1].strip()
    parts, i = [], 0
    while True:
        while i < len(s) and s[i] == " ":
            i += 1
        if i >= len(s):
            raise ValueError("expression ends after an operator: %r" % expr)
        if s[i] == '"':
            val, i = decode_literal(s, i)
        elif s[i] == "$":
            m = re.match(r"\$([A-Za-z][A-Za-z0-9]*)", s[i:])
            val = env[m.group(1)]
            i += len(m.group(0))
        elif s[i] == "[":
            m = re.match(r"\[\$([A-Za-z][A-Za-z0-9]*) \$([A-Za-z][A-Za-z0-9]*)\]", s[i:])
            if not m:
                raise ValueError("unsupported call in %r" % expr)
            val = funcs[m.group(1)](env[m.group(2)])
            i += len(m.group(0))
        else:
            raise ValueError("unsupported term in %r at %d" % (expr, i))
        parts.append(str(val))
        while i < len(s) and s[i] == " ":
            i += 1
        if i >= len(s):
            return "".join(parts)
        if s[i] != ".":
            raise ValueError("expected '.' in %r at %d" % (expr, i))
        i += 1


def settings_of(text):
    """The :local settings between the settings markers: name -> value."""
    m = re.search(r"# ---- settings: edit these ----\n(.*?)# ---- end of settings ----",
                  text, re.S)
    out = {}
    for line in m.group(1).split("\n"):
        mm = re.match(r"^:local (\w+) (.*)$", line)
        if not mm:
            continue
        name, val = mm.groups()
        if val.startswith('"'):
            out[name] = decode_literal(val, 0)[0]
        elif val.startswith("{"):
            out[name] = [decode_literal(x.group(0), 0)[0]
                         for x in re.finditer(r'"(?:\\.|[^"\\])*"', val)]
        else:
            out[name] = val
    return out


def function_body(text, name):
    m = re.search(r"^:local %s do=\{\n(.*?)^\}" % name, text, re.S | re.M)
    return m.group(1)


def url_encoder(push_text):
    """The urlEncode function of tikstat-push.rsc, as a Python function that
    applies its table the way the script does (one :if after another)."""
    body = function_body(push_text, "urlEncode")
    table = [(decode_literal(a, 0)[0], decode_literal(b, 0)[0]) for a, b in re.findall(
        r':if \(\$c = ("(?:\\.|[^"\\])*")\) do=\{ :set c ("(?:\\.|[^"\\])*") \}', body)]

    def enc(value):
        out = []
        for c in str(value):
            for k, v in table:
                if c == k:
                    c = v
            out.append(c)
        return "".join(out)
    return enc, table


def quoter(setup_text):
    """The quote function of setup-push.rsc: a backslash before the
    characters its :if compares with."""
    body = function_body(setup_text, "quote")
    cond = re.search(r":if \((.*)\) do=\{ :set c", body).group(1)
    chars = [decode_literal(x, 0)[0] for x in re.findall(r'"(?:\\.|[^"\\])*"', cond)]
    return lambda v: "".join("\\" + c if c in chars else c for c in str(v)), chars


def build_script(setup_text, settings):
    """What setup-push.rsc stores as the script's source, for settings."""
    quote, _ = quoter(setup_text)
    env = dict(settings)
    env["interfacesList"] = ";".join('"' + quote(n) + '"' for n in settings["interfaces"])
    gen = setup_text.split("# >>> generated by gen-setup-push.py")[1].split("# <<< end")[0]
    src = None
    for line in gen.split("\n")[1:]:
        line = line.strip()
        if not line:
            continue
        if line == ':local src ""':
            src = ""
            continue
        m = re.match(r"^:set src \((.*)\)$", line)
        if not m:
            raise ValueError("generated part: unexpected line %r" % line)
        env["src"] = src
        src = eval_concat("(" + m.group(1) + ")", env, {"quote": quote})
    return src


def setup_push_checks():
    push_text = open(PUSH_RSC, encoding="ascii").read()
    setup_text = open(SETUP_RSC, encoding="ascii").read()
    ps, ss = settings_of(push_text), settings_of(setup_text)
    check({k: ps[k] for k in ps} == {k: ss[k] for k in ps},
          "setup-push.rsc has the settings of tikstat-push.rsc, same defaults")
    built = build_script(setup_text, ss)
    check(built == push_text.replace("\n", "\r\n"),
          "setup-push.rsc stores exactly tikstat-push.rsc (generated part up to date)")
    odd = dict(ss, token='tok$en?"with\\odd-chars', url="https://t.example/api/v1/push",
               interfaces=['lan "x"', "ether 2"], ipInterface="pppoe-out1")
    got = settings_of(build_script(setup_text, odd).replace("\r\n", "\n"))
    check(all(got[k] == odd[k] for k in got),
          "settings with \" \\ $ and a question mark survive setup-push.rsc")
    m = re.search(r"^/system scheduler add (.*)$", setup_text, re.M)
    sched = m.group(1) if m else ""
    check("start-time=startup" in sched and "policy=read,test" in sched
          and "tikstat-push" in sched, "scheduler: start-time=startup, policy=read,test")
    check(re.search(r'^/system script add name="tikstat-push" policy=read,test ', setup_text, re.M)
          is not None, "script added with policy=read,test")
    check(setup_text.index('/system script remove [find name="tikstat-push"]')
          < setup_text.index("/system script add")
          and setup_text.index('/system scheduler remove [find name="tikstat-push"]')
          < setup_text.index("/system scheduler add"), "setup-push.rsc removes by name first")


# -------------------------------------------------------------- request

class PushTemplate:
    """What tikstat-push.rsc sends, taken from its text."""

    def __init__(self):
        text = open(PUSH_RSC, encoding="ascii").read()
        self.settings = settings_of(text)
        self.url = self.settings["url"]
        self.encode, self.table = url_encoder(text)
        self.body_expr = re.search(r"^\s*:local body (\(.*\))$", text, re.M).group(1)
        self.ip_expr = re.search(
            r"^\s*:if \(\[:len \$ip\] > 0\) do=\{ :set body (\(.*\)) \}$", text, re.M).group(1)
        fetch = [l.strip() for l in text.split("\n") if l.strip().startswith("/tool fetch")]
        check(len(fetch) == 1, "tikstat-push.rsc has one active /tool fetch")
        self.fetch = fetch[0]
        get = [l.strip()[1:].strip() for l in text.split("\n")
               if l.strip().startswith("# /tool fetch")]
        check(len(get) == 1, "tikstat-push.rsc has the GET variant for RouterOS < 6.39")
        self.get_url_expr = re.match(r"/tool fetch url=(\(.*?\)) ", get[0]).group(1)
        self.get_line = get[0]

    def params(self):
        """The fetch line's parameters, name -> raw value."""
        out = {}
        for m in re.finditer(r'([a-z-]+)=("(?:\\.|[^"\\])*"|\S+)', self.fetch):
            k, v = m.groups()
            out[k] = decode_literal(v, 0)[0] if v.startswith('"') else v
        return out

    def body(self, token, ifname, rx, tx, uptime, ip=""):
        env = {"token": token, "ifname": ifname, "rx": rx, "tx": tx, "uptime": uptime,
               "ip": ip}
        funcs = {"urlEncode": self.encode}
        body = eval_concat(self.body_expr, env, funcs)
        if ip:
            env["body"] = body
            body = eval_concat(self.ip_expr, env, funcs)
        return body

    def get_url(self, body):
        return eval_concat(self.get_url_expr, {"url": self.url, "body": body}, {})


def template_checks(t):
    p = t.params()
    check(p.get("url") == "$url" and p.get("http-method") == "post"
          and p.get("http-data") == "$body" and p.get("keep-result") == "no"
          and p.get("check-certificate") == "yes",
          "fetch: url=$url http-method=post http-data=$body keep-result=no check-certificate=yes")
    check(p.get("http-header-field") == "Content-Type: application/x-www-form-urlencoded",
          "fetch: Content-Type: application/x-www-form-urlencoded")
    check(t.url.startswith("https://") and t.url.endswith("/api/v1/push"),
          "the default URL is https://.../api/v1/push")
    keys = {k for k, _ in t.table}
    check(set(" &=%+#?") <= keys and all(v == "%%%02X" % ord(k) for k, v in t.table),
          "urlEncode encodes space & = % + # ? as %XX")
    name = "lan bridge+1&2=3#4%5?"
    check(urllib.parse.unquote(t.encode(name)) == name and " " not in t.encode(name),
          "urlEncode round-trips %r" % name)
    body = t.body("T0ken-abcdefghijkl", "ether 1", 468259100207, 5, "1w2d03:04:05", "203.0.113.7")
    fields = urllib.parse.parse_qs(body, keep_blank_values=True, strict_parsing=True)
    check(fields == {"token": ["T0ken-abcdefghijkl"], "interface": ["ether 1"],
                     "rx": ["468259100207"], "tx": ["5"], "uptime": ["1w2d03:04:05"],
                     "ip": ["203.0.113.7"]}, "http-data carries token interface rx tx uptime ip")
    check(t.get_url(body) == t.url + "?" + body, "GET variant: URL?http-data")


# ---------------------------------------------------------------- daemon


def http10(port, method, target, body=b"", content_type=None):
    """One request as RouterOS 6's fetch sends it: HTTP/1.0, its user agent."""
    head = ["%s %s HTTP/1.0" % (method, target), "Host: 127.0.0.1:%d" % port,
            "User-Agent: Mikrotik/6.49 Fetch"]
    if content_type:
        head.append("Content-Type: " + content_type)
    if method == "POST":
        head.append("Content-Length: %d" % len(body))
    raw = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(raw)
        data = harness.read_all(s)
    status = data.split(b"\r\n", 1)[0].decode("latin-1")
    m = re.match(r"HTTP/1\.[01] (\d{3})", status)
    return (int(m.group(1)) if m else 0), data.split(b"\r\n\r\n", 1)[-1]


def totals(args, conf, router, iface):
    t = harness.totals(args.tikstat, conf, router, iface)
    return t and tuple(t)


def wait_for(fn, want, seconds=15):
    deadline = time.time() + seconds
    got = None
    while time.time() < deadline:
        got = fn()
        if got == want:
            return got
        time.sleep(0.2)
    return got


def daemon_checks(args, t):
    with harness.Session("tikstat-push-", tail=4000) as w:
        pushes(args, t, w)


def pushes(args, t, w):
    """The pushes against tikstatd, in the harness.Session w."""
    work = w.dir
    port = free_port()
    token = "push-Token-3f9c2a7d81e4b6a0"
    ifaces = ["ether1", "lan bridge+1&2=3#4%5"]
    token_file = w.secret("edge.token", token)
    ip_file = os.path.join(work, "edge.ip")
    conf = os.path.join(work, "tikstat.conf")
    harness.write_config(
        conf,
        harness.section("tikstat", database=os.path.join(work, "tikstat.db"),
                        timezone="Europe/Berlin", commit_interval=1, log_level="debug"),
        harness.section("http", listen="127.0.0.1:%d" % port),
        harness.section("router edge", mode="push", push_token_file=token_file, ip_file=ip_file,
                        interfaces=harness.quoted(ifaces)))
    d = w.daemon(args.tikstatd, conf)
    harness.wait_for(lambda: not d.alive() or harness.listening(port), "tikstatd listening",
                     15, 0.1)
    if not check(d.alive(), "tikstatd runs with a push router"):
        return
    path = urllib.parse.urlsplit(t.url).path
    form = "application/x-www-form-urlencoded"
    want = {}
    rx0, tx0 = 468259100207, 4294967296 + 17
    for k, name in enumerate(ifaces):
        b1 = t.body(token, name, rx0, tx0, "1w2d03:04:05")
        st, resp = http10(port, "POST", path, b1.encode(), form)
        check(st == 204, "first push of %r (baseline): 204 (got %d %r)" % (name, st, resp[:200]))
    time.sleep(1.2)
    for k, name in enumerate(ifaces):
        drx, dtx = 5000000 + 1234 * k, 700000 + 77 * k
        b2 = t.body(token, name, rx0 + drx, tx0 + dtx, "1w2d03:09:05", "203.0.113.7")
        st, resp = http10(port, "POST", path, b2.encode(), form)
        check(st == 204, "second push of %r: 204 (got %d %r)" % (name, st, resp[:200]))
        want[name] = (drx, dtx)
    for name in ifaces:
        got = wait_for(lambda: totals(args, conf, "edge", name), want[name])
        check(got == want[name], "tikstat --json counts %r's growth exactly: %r == %r"
              % (name, got, want[name]))
    got = wait_for(lambda: open(ip_file).read().strip() if os.path.exists(ip_file) else None,
                   "203.0.113.7", 5)
    check(got == "203.0.113.7", "ip= of the push lands in ip_file (%r)" % got)

    bad = t.body("wrong-token-0123456789", ifaces[0], rx0 + 10 ** 9, tx0, "1w2d03:10:05")
    st, _ = http10(port, "POST", path, bad.encode(), form)
    check(st == 403, "a wrong token gets 403 (got %d)" % st)

    # RouterOS < 6.39: the GET variant, parameters in the URL.
    time.sleep(1.2)
    name = ifaces[1]
    drx3, dtx3 = 333333, 4444
    b3 = t.body(token, name, rx0 + want[name][0] + drx3, tx0 + want[name][1] + dtx3,
                "1w2d03:14:05")
    target = urllib.parse.urlsplit(t.get_url(b3))
    st, resp = http10(port, "GET", target.path + "?" + target.query)
    check(st == 204, "GET variant for RouterOS < 6.39: 204 (got %d %r)" % (st, resp[:200]))
    w3 = (want[name][0] + drx3, want[name][1] + dtx3)
    got = wait_for(lambda: totals(args, conf, "edge", name), w3)
    check(got == w3, "GET variant counted exactly: %r == %r" % (got, w3))
    got = totals(args, conf, "edge", ifaces[0])
    check(got == want[ifaces[0]], "the wrong-token push stored nothing: %r" % (got,))

    # The old PHP setup's script: GET /traffic-receiver.php.
    q = urllib.parse.urlencode({"tx": tx0 + want[ifaces[0]][1], "rx": rx0 + want[ifaces[0]][0],
                                "ip": "198.51.100.23", "token": token})
    st, resp = http10(port, "GET", "/traffic-receiver.php?" + q)
    check(st == 200, "legacy /traffic-receiver.php: 200 (got %d %r)" % (st, resp[:200]))
    got = wait_for(lambda: open(ip_file).read().strip() if os.path.exists(ip_file) else None,
                   "198.51.100.23", 5)
    check(got == "198.51.100.23", "legacy push writes ip_file (%r)" % got)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tikstatd")
    ap.add_argument("--tikstat")
    ap.add_argument("--static-only", action="store_true")
    args = ap.parse_args()
    for name in RSC_FILES:
        with open(os.path.join(ROUTEROS, name), encoding="latin-1") as f:
            static_checks(name, f.read())
    setup_push_checks()
    t = PushTemplate()
    template_checks(t)
    if not args.static_only:
        if not (args.tikstatd and args.tikstat):
            ap.error("--tikstatd and --tikstat are required unless --static-only")
        daemon_checks(args, t)
    return harness.exit_status("all checks passed")


if __name__ == "__main__":
    sys.exit(main())
