"""tikstatd refuses to start as root without -u USER, and the tests run as
root in CI: there the daemon runs as nobody, owner of the test's work
directory (root, the test, still reads and writes everything in it)."""
import os
import pwd

USER = "nobody"


def own(workdir):
    """As root, hands workdir and everything in it to the daemon's user:
    before a start, and before a SIGHUP (the daemon re-reads its
    configuration and secrets as that user)."""
    if os.geteuid() != 0:
        return
    pw = pwd.getpwnam(USER)
    for top, _dirs, files in os.walk(workdir):
        os.chown(top, pw.pw_uid, pw.pw_gid)
        for f in files:
            os.lchown(os.path.join(top, f), pw.pw_uid, pw.pw_gid)


def args(workdir):
    """The options that run tikstatd as USER when the test runs as root
    ([] otherwise); owns workdir first."""
    if os.geteuid() != 0:
        return []
    own(workdir)
    return ["-u", USER]
