/*
 * eimzo-sim test harness: a clean-room replica of how the official E-IMZO
 * browser script "e-imzo.js" (the global CAPIWS) behaves, written only from
 * the behaviour documented in PROTOCOL.md §1.1, §1.2, §6 and §13. It is not
 * the official script and contains none of its code. It exists so that the
 * simulator's end-to-end tests can run where the official files may not be
 * committed or downloaded; e2e/sim_official_test.go runs the same scenarios
 * against the real files when they are provided.
 *
 * Documented behaviour reproduced here:
 *  - CAPIWS.URL is computed once, at load, from location.protocol
 *    (wss://127.0.0.1:64443 for https: pages, ws://127.0.0.1:64646 otherwise)
 *    and read by every call, so a test may reassign it;
 *  - one WebSocket per call: the request (JSON) is sent when the socket
 *    opens, the first text frame is parsed with JSON.parse, the socket is
 *    closed (without a code) and the callback gets (event, data);
 *  - there is no onerror handler: onclose reports every close code other
 *    than 1000 to the error callback, even after the callback ran;
 *  - without window.WebSocket the error callback is called with no argument;
 *  - a Base64 helper whose encode() turns a string into the padded standard
 *    base64 of its UTF-8 bytes.
 */
(function (global) {
  "use strict";

  var Base64 = {
    encode: function (text) {
      var bytes = new TextEncoder().encode(String(text));
      var bin = "";
      for (var i = 0; i < bytes.length; i += 0x8000) {
        bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
      }
      return global.btoa(bin);
    },
    decode: function (b64) {
      var bin = global.atob(b64);
      var bytes = new Uint8Array(bin.length);
      for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return new TextDecoder().decode(bytes);
    }
  };

  var capiws = {
    URL: (global.location.protocol === "https:" ? "wss://127.0.0.1:64443" : "ws://127.0.0.1:64646") + "/service/cryptapi",

    callFunction: function (funcDef, callback, error) {
      if (!global.WebSocket) {
        if (error) error();
        return;
      }
      var socket = new global.WebSocket(this.URL);
      socket.onclose = function (ev) {
        if (ev.code !== 1000 && error) error(ev.code);
      };
      socket.onmessage = function (ev) {
        var data = JSON.parse(ev.data);
        socket.close();
        callback(ev, data);
      };
      socket.onopen = function () {
        socket.send(JSON.stringify(funcDef));
      };
    },

    version: function (callback, error) {
      this.callFunction({ name: "version" }, callback, error);
    },

    apidoc: function (callback, error) {
      this.callFunction({ name: "apidoc" }, callback, error);
    },

    apikey: function (domainAndKey, callback, error) {
      this.callFunction({ name: "apikey", arguments: domainAndKey }, callback, error);
    }
  };

  global.Base64 = Base64;
  global.CAPIWS = global.EIMZOEXT !== undefined ? global.EIMZOEXT : capiws;
})(window);
