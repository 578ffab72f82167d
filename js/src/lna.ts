// Chrome's Local Network Access (Chrome 147+ for WebSockets): a page that
// is not itself on loopback needs the "loopback-network" permission to
// reach ws://127.0.0.1, and insecure (http) pages are refused outright.
// Inside the page a refused socket looks exactly like "E-IMZO is not
// running" (close 1006), so after such a failure the client asks whether
// LNA is the more likely cause.

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '::1'
}

/**
 * Whether Local Network Access, rather than a stopped daemon, explains a
 * failed connection to 127.0.0.1: the browser implements LNA (fetch knows
 * targetAddressSpace), the page is not on loopback (such pages are exempt),
 * and it has no "loopback-network" permission (or is insecure, which LNA
 * always refuses).
 */
export async function localNetworkBlocked(): Promise<boolean> {
  if (typeof window === 'undefined' || typeof location === 'undefined') return false
  if (typeof Request === 'undefined' || !('targetAddressSpace' in Request.prototype)) return false
  if (isLoopbackHost(location.hostname)) return false
  if (!window.isSecureContext) return true
  const perms = navigator.permissions
  if (!perms || typeof perms.query !== 'function') return false
  // The permission's name since Chrome 142; earlier builds called it local-network-access.
  for (const name of ['loopback-network', 'local-network-access']) {
    try {
      const st = await perms.query({ name } as unknown as PermissionDescriptor)
      return st.state !== 'granted'
    } catch {
      // An unknown name in this browser: try the next.
    }
  }
  return false
}
