/*
 * eimzo-sim end-to-end scenarios, driven by e2e/sim_official_test.go. They
 * use only the documented EIMZOClient API (PROTOCOL.md §6) and CAPIWS.URL,
 * so they run unchanged on the replica and on the official scripts. Every
 * callback is logged, including late ones, and a scenario returns once all
 * of its sockets have closed.
 */
(function (global) {
  "use strict";
  var log = [];

  function rec(step, cb, extra) {
    var entry = { step: step, cb: cb };
    for (var k in extra) entry[k] = extra[k];
    log.push(entry);
  }

  // call runs one EIMZOClient method; it resolves with the first callback,
  // and keeps logging any later ones. When the page goes idle (every socket
  // closed) without any callback, as when JSON.parse throws, it resolves
  // with { none: true }.
  function call(step, fn) {
    return new Promise(function (resolve) {
      var done = false;
      var finish = function (v) { if (!done) { done = true; resolve(v); } };
      var watch = function () {
        if (done) return;
        if (global.harness.idle()) {
          rec(step, "none", {});
          finish({ ok: false, none: true });
          return;
        }
        setTimeout(watch, 5);
      };
      setTimeout(watch, 0);
      fn(function () {
        var args = Array.prototype.slice.call(arguments);
        rec(step, "ok", { args: args.map(plain) });
        finish({ ok: true, args: args });
      }, function (e, reason) {
        rec(step, "fail", { e: e === undefined ? "undefined" : (typeof e === "object" && e !== null ? "object" : e), r: reason });
        finish({ ok: false, e: e, r: reason });
      });
    });
  }

  function plain(v) {
    if (v instanceof Date) return v.toISOString();
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === "object") {
      var o = {};
      for (var k in v) if (typeof v[k] !== "function") o[k] = plain(v[k]);
      return o;
    }
    return v;
  }

  function settled() {
    return new Promise(function (resolve) {
      var check = function () {
        if (global.harness.idle()) setTimeout(resolve, 0);
        else setTimeout(check, 5);
      };
      check();
    });
  }

  function result(extra) {
    return settled().then(function () {
      var out = { log: log.slice(), closeCodes: global.harness.closeCodes() };
      for (var k in extra) out[k] = extra[k];
      log = [];
      return out;
    });
  }

  function setURL() {
    global.CAPIWS.URL = new URLSearchParams(global.location.search).get("sim");
  }

  var client = function () { return global.EIMZOClient; };

  // The official demo's sequence: version, API keys, the key list.
  function start(opts) {
    setURL();
    return call("checkVersion", function (ok, fail) { client().checkVersion(ok, fail); }).then(function (v) {
      if (!v.ok) return null;
      return call("installApiKeys", function (ok, fail) { client().installApiKeys(ok, fail); }).then(function (k) {
        if (!k.ok) return null;
        return call("listAllUserKeys", function (ok, fail) {
          client().listAllUserKeys(function (vo, i) { return "key" + i; }, function (id, vo) { return { id: id, vo: vo }; }, ok, fail);
        });
      });
    });
  }

  global.scenario = {
    // sign: list, pick a key that is not expired (or the one named), load
    // it, sign text attached and detached, and the same bytes as base64.
    sign: function (opts) {
      return start(opts).then(function (list) {
        if (!list || !list.ok) return result({});
        var items = list.args[0], now = new Date();
        var pick = items.filter(function (it) {
          return opts.name ? it.vo.name === opts.name || it.vo.cardUID === opts.name : it.vo.validTo > now;
        })[0];
        if (!pick) return result({ error: "no key to pick" });
        return call("loadKey", function (ok, fail) { client().loadKey(pick.vo, ok, fail, !!opts.verifyPassword); }).then(function (l) {
          if (!l.ok) return result({});
          var id = l.args[0], out = { items: items.map(function (it) { return plain(it.vo); }), keyId: id, picked: pick.vo.name || pick.vo.cardUID };
          var ts = opts.timestamp ? timestamper : null;
          return call("createPkcs7", function (ok, fail) { client().createPkcs7(id, opts.text, ts, ok, fail, false); }).then(function (a) {
            out.attached = a.ok ? a.args[0] : null;
            if (!a.ok || opts.once) return result(out);
            return call("createPkcs7 detached", function (ok, fail) { client().createPkcs7(id, opts.text, ts, ok, fail, true); }).then(function (d) {
              out.detached = d.ok ? d.args[0] : null;
              return call("createPkcs7 base64", function (ok, fail) {
                client().createPkcs7(id, global.Base64.encode(opts.text), ts, ok, fail, false, true);
              }).then(function (b) {
                out.base64 = b.ok ? b.args[0] : null;
                return result(out);
              });
            });
          });
        });
      });
    },

    // version: only checkVersion (for close-code and reachability faults).
    version: function () {
      setURL();
      return call("checkVersion", function (ok, fail) { client().checkVersion(ok, fail); }).then(function () { return result({}); });
    },

    // list: version, API keys and the key list.
    list: function () {
      return start({}).then(function () { return result({}); });
    },

    // devices: the three device checks, then a signature with an id.
    devices: function (opts) {
      setURL();
      return call("checkVersion", function (ok, fail) { client().checkVersion(ok, fail); }).then(function () {
        return call("idCardIsPLuggedIn", function (ok, fail) { client().idCardIsPLuggedIn(ok, fail); });
      }).then(function () {
        return call("isBAIKTokenPLuggedIn", function (ok, fail) { client().isBAIKTokenPLuggedIn(ok, fail); });
      }).then(function () {
        return call("isCKCPLuggedIn", function (ok, fail) { client().isCKCPLuggedIn(ok, fail); });
      }).then(function () {
        if (!opts.signWith) return result({});
        return call("createPkcs7", function (ok, fail) { client().createPkcs7(opts.signWith, opts.text, null, ok, fail, false); })
          .then(function (s) { return result({ attached: s.ok ? s.args[0] : null }); });
      });
    }
  };

  // timestamper is the 2023 client's hook: it gets the signature in hex and
  // hands back an RFC 3161 token (base64), here from the test's server.
  function timestamper(signatureHex, callback, fail) {
    rec("timestamper", "called", { signatureHex: signatureHex });
    global.harness.hold++;
    global.fetch("/tst?sig=" + encodeURIComponent(signatureHex)).then(function (r) {
      if (!r.ok) throw new Error("tst " + r.status);
      return r.text();
    }).then(function (tst) {
      callback(tst); // opens the attach_timestamp_token_pkcs7 socket at once
      global.harness.hold--;
    }, function (err) {
      fail(null, String(err));
      global.harness.hold--;
    });
  }
})(window);
