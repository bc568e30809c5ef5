# setup-api-user.rsc: a read-only API user for tikstat, and api-ssl with a
# self-signed certificate that tikstat pins by its SHA-256 fingerprint.
#
#   1. Edit the settings below.
#   2. Upload this file to the router (Winbox: Files; or scp).
#   3. In the router's terminal:  /import file-name=setup-api-user.rsc
#   4. Put the fingerprint it prints into tikstat.conf (tls = fingerprint,
#      tls_fingerprint = sha256:...), the password into the password_file,
#      and check with:  tikstatd --check-config
#
# What it does:
#   - group "tikstat" with only the policies api (log in over the API) and
#     read (print /interface and /system resource): it cannot change
#     anything, open Winbox, SSH, the web interface or FTP;
#   - user "tikstat" in that group, allowed to log in only from
#     $tikstatHost (the address tikstatd connects from);
#   - certificate "tikstat-api": self-signed, RSA 2048, valid 10 years;
#     created only when missing, so that running this file again keeps the
#     fingerprint that tikstat already pins;
#   - service api-ssl (TCP 8729) with that certificate, reachable only from
#     $tikstatHost.
# Running it again resets the user's password and the services' settings
# to what the settings say. Run it as an administrator (full group).
#
# Everything stays inside one { } block: RouterOS forgets a :local at the
# end of each top-level command of an imported file.
{
# ---- settings: edit these ----
# The password of the user "tikstat". Make it long and random, e.g. the
# output of:  openssl rand -hex 24
# and store the same string in tikstat's password_file (chmod 600). Inside
# the quotes, put a backslash before each " \ $ and question mark.
:local password "CHANGE-ME"
# The address tikstatd connects from, as the router sees it (an address or
# a prefix such as 192.0.2.0/24).
:local tikstatHost "192.0.2.10"
# The name in the certificate. Any name works with fingerprint pinning;
# with tls = verify, use the name or address in tikstat.conf's host = and
# say so in subjectAltName too ("DNS:router.example" or "IP:192.168.88.1").
:local commonName "router.example"
:local subjectAltName ""
# Also turn off the plain API (TCP 8728: the password travels in clear
# text) once tikstat works over api-ssl: set to true.
:local disablePlainApi false
# ---- end of settings ----

:if ($password = "CHANGE-ME" || [:len $password] < 16) do={
  :error "setup-api-user: set password to a long random string (16 characters or more) first"
}

# The group: only api and read. Created or reset to exactly these.
:if ([:len [/user group find name="tikstat"]] = 0) do={
  /user group add name="tikstat" policy=api,read comment="tikstat: read-only API access"
} else={
  /user group set [find name="tikstat"] policy=api,read
}

# The user, allowed from the tikstat host only.
:if ([:len [/user find name="tikstat"]] = 0) do={
  /user add name="tikstat" group="tikstat" password=$password address=$tikstatHost comment="tikstat: reads interface counters"
} else={
  /user set [find name="tikstat"] group="tikstat" password=$password address=$tikstatHost
}

# The certificate. A template left over from an interrupted run (no
# private key yet) is removed and made again.
:local cert [/certificate find name="tikstat-api"]
:if ([:len $cert] > 0) do={
  :if (![/certificate get $cert private-key]) do={
    /certificate remove $cert
    :set cert ""
  }
}
:if ([:len $cert] = 0) do={
  :if ([:len $subjectAltName] > 0) do={
    /certificate add name="tikstat-api" common-name=$commonName subject-alt-name=$subjectAltName key-size=2048 days-valid=3650 key-usage=digital-signature,key-encipherment,tls-server
  } else={
    /certificate add name="tikstat-api" common-name=$commonName key-size=2048 days-valid=3650 key-usage=digital-signature,key-encipherment,tls-server
  }
  :put "setup-api-user: signing the certificate (a slow router takes a minute)"
  /certificate sign [find name="tikstat-api"]
  # Signing may finish after the command returns: wait for the private
  # key, at most 5 minutes.
  :local waited 0
  :while ($waited < 300 && ![/certificate get [find name="tikstat-api"] private-key]) do={
    :delay 1s
    :set waited ($waited + 1)
  }
  :if (![/certificate get [find name="tikstat-api"] private-key]) do={
    :error "setup-api-user: the certificate was not signed in 5 minutes: run this file again"
  }
}

# api-ssl with the certificate, only from the tikstat host ("Available
# From" in Winbox). This replaces the service's address list: if other
# hosts use api-ssl too, put them all into tikstatHost, comma separated.
/ip service set api-ssl certificate="tikstat-api" address=$tikstatHost disabled=no

# The plain API (8728) is left as it is unless disablePlainApi is true.
:if ($disablePlainApi) do={
  /ip service set api disabled=yes
  :put "setup-api-user: the plain API (8728) is now disabled"
} else={
  :put "setup-api-user: the plain API (8728) is unchanged; once tikstat works over api-ssl, consider disablePlainApi"
}

# What to put into tikstat.conf. RouterOS shows the certificate's SHA-256
# fingerprint as 64 hex digits (also in /certificate print detail, as
# fingerprint=); older versions may show another digest: then take the one
# rosapi --show-fingerprint HOST prints, or tikstatd --check-config reports
# (it prints what the router presented when a pinned fingerprint does not
# match).
:local fp [/certificate get [find name="tikstat-api"] fingerprint]
:put "setup-api-user: done. In tikstat.conf, for this router:"
:put "  port = 8729"
:put "  tls = fingerprint"
:if ([:len $fp] = 64) do={
  :put ("  tls_fingerprint = sha256:" . $fp)
} else={
  :put ("  tls_fingerprint = (this RouterOS shows " . $fp . ", not a SHA-256: use the one tikstatd --check-config prints)")
}
:put "  user = tikstat"
:put "  password_file = /etc/tikstat/ROUTER.password   (the password above, chmod 600)"
}
