// Cold page → first signature with the plain-JS baseline.
(async function () {
  var url = new URLSearchParams(location.search).get('daemon')
  await window.baseline.version(url)
  var certs = await window.baseline.listKeys(url)
  var pkcs7 = await window.baseline.signText(url, certs[0], 'Birinchi imzo')
  window.result = { ms: performance.now(), bytes: pkcs7.length }
})()
