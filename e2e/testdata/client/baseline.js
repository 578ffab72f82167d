// The benchmark's plain-JS baseline: what a page does with the official
// scripts' approach (e-imzo.js + e-imzo-client.js, PROTOCOL.md §6): a new
// WebSocket per call, JSON in JavaScript, and base64 made in JavaScript
// (UTF-8 through encodeURIComponent for text, String.fromCharCode + btoa
// for bytes). Written for the benchmark; no vendor code.
(function () {
  function call(url, funcDef) {
    return new Promise(function (resolve, reject) {
      var ws = new WebSocket(url), done = false
      ws.onopen = function () { ws.send(JSON.stringify(funcDef)) }
      ws.onmessage = function (e) { done = true; var d = JSON.parse(e.data); ws.close(); d.success ? resolve(d) : reject(new Error(d.reason)) }
      ws.onclose = function (e) { if (!done) reject(new Error('closed ' + e.code)) }
    })
  }
  function textBase64(s) { return btoa(unescape(encodeURIComponent(s))) }
  function bytesBase64(u8) {
    var s = ''
    for (var i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000))
    return btoa(s)
  }
  var keyIds = {}
  async function keyId(url, cert) {
    if (!keyIds[cert.alias]) {
      var r = await call(url, { plugin: 'pfx', name: 'load_key', arguments: [cert.disk, cert.path, cert.name, cert.alias] })
      keyIds[cert.alias] = r.keyId
    }
    return keyIds[cert.alias]
  }
  window.baseline = {
    call: call,
    version: function (url) { return call(url, { name: 'version' }) },
    listKeys: async function (url) { return (await call(url, { plugin: 'pfx', name: 'list_all_certificates' })).certificates },
    signText: async function (url, cert, text) {
      return (await call(url, { plugin: 'pkcs7', name: 'create_pkcs7', arguments: [textBase64(text), await keyId(url, cert), 'no'] })).pkcs7_64
    },
    signBytes: async function (url, cert, u8, detached) {
      return (await call(url, { plugin: 'pkcs7', name: 'create_pkcs7', arguments: [bytesBase64(u8), await keyId(url, cert), detached ? 'yes' : 'no'] })).pkcs7_64
    },
    // signHash as a plain page does it: the whole file in memory, one digest.
    signHash: async function (url, cert, blob) {
      var hash = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))
      return { pkcs7: await this.signBytes(url, cert, hash, true), hash: hash }
    },
  }
})()
