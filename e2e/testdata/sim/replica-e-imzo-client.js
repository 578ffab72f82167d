/*
 * eimzo-sim test harness: a clean-room replica of how the official
 * "e-imzo-client.js" (the global EIMZOClient) behaves, written only from the
 * behaviour documented in PROTOCOL.md §3.1, §5.2, §6 and §13. It is not the
 * official script and contains none of its code.
 *
 * Two revisions are documented; set window.EIMZO_REPLICA_REVISION to "2023"
 * before loading for the older one, which sends signatures through a
 * timestamper callback and pkcs7.attach_timestamp_token_pkcs7. The default
 * is the current (2025) revision, which ignores the timestamper.
 *
 * Reproduced, quirks included:
 *  - checkVersion: data.success must be === true; major and minor must be
 *    truthy; major*100+minor sets NEW_API (>= 336), NEW_API2 (>= 412) and
 *    NEW_API3 (>= 486);
 *  - every other reply is judged by a truthy data.success; failures reach
 *    fail(e, reason) with exactly one of the two set;
 *  - listAllUserKeys: pfx.list_all_certificates (and, below 4.12,
 *    ftjc.list_all_keys([""])); the alias is parsed the EIMZOClient way
 *    (upper-cased; first 1.2.860.3.16.1.1= becomes INN=, first
 *    1.2.860.3.16.1.2= becomes PINFL=; split before ",LETTERS="; dates with
 *    dots made dashes and the first space a T, read in the browser's zone);
 *    entries with neither TIN nor PINFL are dropped; an error after items
 *    were found is swallowed, and an error arriving after success runs the
 *    continuation, and so success, a second time;
 *  - loadKey, changeKeyPassword, createPkcs7 (UTF-8 → Base64.encode unless
 *    isDataBase64Encoded === true; "yes"/"no" for detached), and the device
 *    checks that answer false without a call when the version is too old.
 */
(function (global) {
  "use strict";

  var REVISION = global.EIMZO_REPLICA_REVISION === "2023" ? "2023" : "2025";

  // The alias parsing of PROTOCOL.md §5.2.
  function parseAlias(alias, fixDates) {
    var a = String(alias).toUpperCase();
    a = a.replace("1.2.860.3.16.1.1=", "INN=");
    a = a.replace("1.2.860.3.16.1.2=", "PINFL=");
    var pieces = a.split(/(?=,[A-Z]+=)/);
    var get = function (field) {
      for (var i = 0; i < pieces.length; i++) {
        var re = new RegExp((i === 0 ? "" : ",") + field + "=");
        var m = re.exec(pieces[i]);
        if (m) return pieces[i].substring(m.index + m[0].length);
      }
      return "";
    };
    var date = function (s) {
      return new Date(fixDates ? s.replace(/\./g, "-").replace(" ", "T") : s);
    };
    var inn = get("INN");
    return {
      serialNumber: get("SERIALNUMBER"),
      validFrom: date(get("VALIDFROM")),
      validTo: date(get("VALIDTO")),
      CN: get("CN"),
      TIN: inn ? inn : get("UID"),
      UID: get("UID"),
      PINFL: get("PINFL"),
      O: get("O"),
      T: get("T")
    };
  }

  var client = {
    NEW_API: false,
    NEW_API2: false,
    NEW_API3: false,
    API_KEYS: [
      "localhost", "96D0C1491615C82B9A54D9989779DF825B690748224C2B04F500F370D51827CE2644D8D4A82C18184D73AB8530BB8ED537269603F61DB0D03D2104ABF789970B",
      "127.0.0.1", "A7BCFA5D490B351BE0754130DF03A068F855DB4333D43921125B9CF2670EF6A40370C646B90401955E1F7BC9CDBF59CE0B2C5467D820BE189C845D0B79CFC96F"
    ],

    checkVersion: function (success, fail) {
      var self = this;
      global.CAPIWS.version(function (event, data) {
        if (data.success === true) {
          if (data.major && data.minor) {
            var v = parseInt(data.major, 10) * 100 + parseInt(data.minor, 10);
            self.NEW_API = v >= 336;
            self.NEW_API2 = v >= 412;
            self.NEW_API3 = v >= 486;
            success(data.major, data.minor);
          } else {
            fail(null, "E-IMZO Version is undefined");
          }
        } else {
          fail(null, data.reason);
        }
      }, function (e) { fail(e, null); });
    },

    installApiKeys: function (success, fail) {
      global.CAPIWS.apikey(this.API_KEYS, function (event, data) {
        if (data.success) success(); else fail(null, data.reason);
      }, function (e) { fail(e, null); });
    },

    listAllUserKeys: function (itemIdGen, itemUiGen, success, fail) {
      if (!this.NEW_API) {
        fail(null, "Please install new version of E-IMZO");
        return;
      }
      var self = this, items = [], errors = [];
      var finish = function () {
        if (items.length === 0 && errors.length > 0) {
          fail(errors[0].e, errors[0].r);
          return;
        }
        var firstId, ui = [];
        if (items.length === 1) firstId = itemIdGen(items[0], 0);
        for (var i = 0; i < items.length; i++) ui.push(itemUiGen(itemIdGen(items[i], i), items[i]));
        success(ui, firstId);
      };
      if (this.NEW_API2) {
        this._findPfxs(items, errors, finish);
      } else {
        this._findPfxs(items, errors, function () { self._findTokens(items, errors, finish); });
      }
    },

    _findPfxs: function (items, errors, next) {
      global.CAPIWS.callFunction({ plugin: "pfx", name: "list_all_certificates" }, function (event, data) {
        if (data.success) {
          var certs = data.certificates || [];
          for (var i = 0; i < certs.length; i++) {
            var c = certs[i], vo = parseAlias(c.alias, true);
            if (!vo.TIN && !vo.PINFL) continue;
            vo.disk = c.disk; vo.path = c.path; vo.name = c.name; vo.alias = c.alias; vo.type = "pfx";
            items.push(vo);
          }
        } else {
          errors.push({ r: data.reason });
        }
        next();
      }, function (e) { errors.push({ e: e }); next(); });
    },

    _findTokens: function (items, errors, next) {
      global.CAPIWS.callFunction({ plugin: "ftjc", name: "list_all_keys", arguments: [""] }, function (event, data) {
        if (data.success) {
          var toks = data.tokens || [];
          for (var i = 0; i < toks.length; i++) {
            var t = toks[i], vo = parseAlias(t.info, false);
            if (!vo.TIN && !vo.PINFL) continue;
            vo.cardUID = t.cardUID; vo.statusInfo = t.statusInfo; vo.ownerName = t.ownerName; vo.info = t.info; vo.type = "ftjc";
            items.push(vo);
          }
        } else {
          errors.push({ r: data.reason });
        }
        next();
      }, function (e) { errors.push({ e: e }); next(); });
    },

    idCardIsPLuggedIn: function (success, fail) {
      if (!this.NEW_API2) { success(false); return; }
      this._count({ plugin: "idcard", name: "list_readers" }, "readers", success, fail);
    },

    isBAIKTokenPLuggedIn: function (success, fail) {
      if (!this.NEW_API3) { success(false); return; }
      this._count({ plugin: "baikey", name: "list_tokens" }, "tokens", success, fail);
    },

    isCKCPLuggedIn: function (success, fail) {
      if (!this.NEW_API3) { success(false); return; }
      this._count({ plugin: "ckc", name: "list_ckc" }, "devices", success, fail);
    },

    _count: function (funcDef, field, success, fail) {
      global.CAPIWS.callFunction(funcDef, function (event, data) {
        if (data.success) success(data[field].length > 0); else fail(null, data.reason);
      }, function (e) { fail(e, null); });
    },

    loadKey: function (vo, success, fail, verifyPassword) {
      var load, verify;
      if (vo.type === "pfx") {
        load = { plugin: "pfx", name: "load_key", arguments: [vo.disk, vo.path, vo.name, vo.alias] };
        verify = function (id) { return { plugin: "pfx", name: "verify_password", arguments: [id] }; };
      } else if (vo.type === "ftjc") {
        load = { plugin: "ftjc", name: "load_key", arguments: [vo.cardUID] };
        verify = function (id) { return { plugin: "ftjc", name: "verify_pin", arguments: [id, "1"] }; };
      } else {
        fail(null, "unknown key type");
        return;
      }
      global.CAPIWS.callFunction(load, function (event, data) {
        if (!data.success) { fail(null, data.reason); return; }
        var id = data.keyId;
        if (!verifyPassword) { success(id); return; }
        global.CAPIWS.callFunction(verify(id), function (event, d) {
          if (d.success) success(id); else fail(null, d.reason);
        }, function (e) { fail(e, null); });
      }, function (e) { fail(e, null); });
    },

    changeKeyPassword: function (vo, success, fail) {
      var change = vo.type === "ftjc"
        ? function (id) { return { plugin: "ftjc", name: "change_pin", arguments: [id, "1"] }; }
        : function (id) { return { plugin: "pfx", name: "change_password", arguments: [id] }; };
      this.loadKey(vo, function (id) {
        global.CAPIWS.callFunction(change(id), function (event, data) {
          if (data.success) success(); else fail(null, data.reason);
        }, function (e) { fail(e, null); });
      }, fail, false);
    },

    createPkcs7: function (id, data, timestamper, success, fail, detached, isDataBase64Encoded) {
      var data64 = isDataBase64Encoded === true ? data : global.Base64.encode(data);
      global.CAPIWS.callFunction({ plugin: "pkcs7", name: "create_pkcs7", arguments: [data64, id, detached ? "yes" : "no"] },
        function (event, d) {
          if (!d.success) { fail(null, d.reason); return; }
          if (REVISION === "2023" && timestamper) {
            timestamper(d.signature_hex, function (tst) {
              global.CAPIWS.callFunction({ plugin: "pkcs7", name: "attach_timestamp_token_pkcs7", arguments: [d.pkcs7_64, d.signer_serial_number, tst] },
                function (event, d2) {
                  if (d2.success) success(d2.pkcs7_64); else fail(null, d2.reason);
                }, function (e) { fail(e, null); });
            }, fail);
            return;
          }
          success(d.pkcs7_64);
        }, function (e) { fail(e, null); });
    }
  };

  global.EIMZOClient = client;
})(window);
