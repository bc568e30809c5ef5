# tikstat-push: sends the byte counters of some interfaces to tikstat.
#
# The push fallback, for a router that tikstatd cannot poll over the API
# (behind NAT or CGNAT, API disabled). Store this file's contents as the
# RouterOS script "tikstat-push" (setup-push.rsc does that and schedules it
# every 5 minutes; see README.md). Needs the script policies read and test.
#
# What it sends, once per interface: one HTTP POST, form encoded, to
# tikstat's /api/v1/push with
#   token      the secret that tikstat's push_token_file holds for this router
#   interface  the interface name, as in tikstat.conf's "interfaces ="
#   rx, tx     the cumulative byte counters of /interface (rx-byte, tx-byte;
#              not the /interface ethernet driver counters)
#   uptime     the router's uptime: lets tikstat tell a reboot from an
#              outage, so nothing is lost or counted twice
#   ip         optional: the address of one interface, e.g. the WAN
# tikstat answers 204. A failed push is logged (System > Log, topic
# script/warning) and the other interfaces are still pushed; the counters
# are cumulative, so the next successful push carries the missed traffic.

# ---- settings: edit these ----
# tikstat's push URL. Use https with a certificate the router trusts (see
# README.md); check-certificate=yes below then refuses an impostor.
:local url "https://tikstat.example:8085/api/v1/push"
# The token, exactly as in the push_token_file of this router's section.
:local token "CHANGE-ME-to-the-push-token-of-this-router"
# The interfaces to report, as RouterOS names them.
:local interfaces {"ether1";"pppoe-out1"}
# Report the first address of this interface as ip= ("" to send none).
:local ipInterface ""
# ---- end of settings ----

# urlEncode: percent-encodes the characters that would change the meaning
# of a form value: space & = % + # and the question mark. Everything else
# goes as it is.
# A function (:local name do={...}) sees only its arguments: $1 here.
:local urlEncode do={
  :local in [:tostr $1]
  :local out ""
  :local i 0
  :while ($i < [:len $in]) do={
    :local c [:pick $in $i]
    :if ($c = "%") do={ :set c "%25" }
    :if ($c = " ") do={ :set c "%20" }
    :if ($c = "&") do={ :set c "%26" }
    :if ($c = "=") do={ :set c "%3D" }
    :if ($c = "+") do={ :set c "%2B" }
    :if ($c = "#") do={ :set c "%23" }
    :if ($c = "\?") do={ :set c "%3F" }
    :set out ($out . $c)
    :set i ($i + 1)
  }
  :return $out
}

# The uptime as RouterOS writes it (e.g. 1w2d03:04:05); tikstat reads this
# form as well as 3d4h5m6s and plain seconds.
:local uptime [:tostr [/system resource get uptime]]

# The public address, if asked for: the first enabled address of
# $ipInterface, without the /prefix. Missing address: no ip= at all.
:local ip ""
:if ([:len $ipInterface] > 0) do={
  :do {
    :local ids [/ip address find interface=$ipInterface disabled=no]
    :if ([:len $ids] > 0) do={
      :set ip [/ip address get [:pick $ids 0] address]
      :local slash [:find $ip "/"]
      :if ([:typeof $slash] = "num") do={ :set ip [:pick $ip 0 $slash] }
    }
  } on-error={
    :log warning ("tikstat-push: cannot read the address of " . $ipInterface)
  }
}

# One push per interface. Each push has its own on-error: an interface
# that does not exist or a push that fails is logged and the loop goes on.
:foreach ifname in=$interfaces do={
  :do {
    :local id [/interface find name=$ifname]
    :if ([:len $id] = 0) do={
      :log warning ("tikstat-push: no interface named " . $ifname)
    } else={
      :local rx [/interface get $id rx-byte]
      :local tx [/interface get $id tx-byte]
      :local body ("token=" . [$urlEncode $token] . "&interface=" . [$urlEncode $ifname] . "&rx=" . $rx . "&tx=" . $tx . "&uptime=" . [$urlEncode $uptime])
      :if ([:len $ip] > 0) do={ :set body ($body . "&ip=" . [$urlEncode $ip]) }
      # POST with a form body (RouterOS 6.39 and later). keep-result=no:
      # nothing is written to the router's flash.
      /tool fetch url=$url http-method=post http-header-field="Content-Type: application/x-www-form-urlencoded" http-data=$body keep-result=no check-certificate=yes
      # RouterOS older than 6.39 has no http-method/http-data: comment out
      # the line above and use a GET with the parameters in the URL (inside
      # a RouterOS string the question mark must be escaped with a
      # backslash). The token then shows in web server logs: prefer upgrading.
      # /tool fetch url=($url . "\?" . $body) keep-result=no check-certificate=yes
    }
  } on-error={
    :log warning ("tikstat-push: push of " . $ifname . " to " . $url . " failed")
  }
}
