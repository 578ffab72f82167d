/*
 * eimzo-sim test harness, loaded before the client scripts: it counts the
 * page's WebSockets and records every close code the browser reports, so a
 * test knows when all calls have finished (and whether any ended with a code
 * other than 1000) without waiting for a fixed time. ?rev=2023 selects the
 * older revision of the replica client.
 */
(function (global) {
  "use strict";
  var Native = global.WebSocket;
  var open = 0, codes = [];
  function Tracked(url, protocols) {
    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);
    open++;
    ws.addEventListener("close", function (e) { open--; codes.push(e.code); });
    return ws;
  }
  Tracked.prototype = Native.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach(function (k) { Tracked[k] = Native[k]; });
  global.WebSocket = Tracked;
  global.harness = {
    openSockets: function () { return open; },
    closeCodes: function () { return codes.slice(); },
    // hold counts work of the page's own (a timestamper's fetch) that will
    // open more sockets: the page is not idle while it is above zero.
    hold: 0,
    idle: function () { return open === 0 && this.hold === 0; }
  };
  var rev = new URLSearchParams(global.location.search).get("rev");
  if (rev) global.EIMZO_REPLICA_REVISION = rev;
})(window);
