// A stand-in for the official e-imzo.js, written for the tests (the real
// one may not be committed or downloaded): it defines window.CAPIWS with
// callFunction(funcDef, callback(event, data), error(e)) and one WebSocket
// per call, as PROTOCOL.md §1.2 and §6 describe. The daemon's URL comes
// from the page's ?daemon= parameter.
(function () {
  var url = new URLSearchParams(location.search).get('daemon') || 'ws://127.0.0.1:64646/service/cryptapi'
  window.CAPIWS = {
    URL: url,
    callFunction: function (funcDef, callback, error) {
      if (!window.WebSocket) { if (error) error(); return }
      var socket
      try { socket = new WebSocket(this.URL) } catch (e) { if (error) error(e); return }
      socket.onerror = function () {}
      socket.onclose = function (e) { if (error && e.code !== 1000) error(e.code) }
      socket.onmessage = function (event) {
        var data = JSON.parse(event.data)
        socket.close()
        callback(event, data)
      }
      socket.onopen = function () { socket.send(JSON.stringify(funcDef)) }
    },
  }
})()
