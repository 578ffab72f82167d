package e2e

import (
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
)

// TestClientLocalNetworkAccess reproduces Chrome's Local Network Access
// block headless (ENGINEERING.md): the page's server is declared public
// with --ip-address-space-overrides, so Chromium refuses its sockets to
// 127.0.0.1 with close 1006, exactly as when nothing listens. The client
// must name the real cause, and must not blame LNA when it is not the
// cause.
func TestClientLocalNetworkAccess(t *testing.T) {
	sim := simtest.Start(t)
	site := startClientSite(t)
	nothing := closedPort(t)
	install := func(url string) string {
		return `const c = ek.createEimzo({ url: ` + jsString(url) + ` }); return (await c.install()).version`
	}

	t.Run("a public page without the permission: LOCAL_NETWORK_BLOCKED", func(t *testing.T) {
		// A host that is not loopback by name, served from 127.0.0.1 and
		// declared public.
		ctx := clientBrowser(t,
			chromedp.Flag("host-resolver-rules", "MAP eimzo-lna.test 127.0.0.1"),
			chromedp.Flag("ip-address-space-overrides", "127.0.0.1:"+site.Port+"=public"))
		open(t, ctx, "http://eimzo-lna.test:"+site.Port+"/client/index.html")
		o := run(t, ctx, install(sim.URL)) // the daemon is running: only LNA stops it
		if o.Code != "LOCAL_NETWORK_BLOCKED" || o.ClassName != "EimzoLocalNetworkBlockedError" || !o.IsEimzoError {
			t.Fatalf("got %q (%s) %s, want LOCAL_NETWORK_BLOCKED", o.Code, o.ClassName, o.Message)
		}
		if o.Hint == "" {
			t.Error("no hint on how to allow local network access")
		}
	})

	t.Run("the same page with the permission granted reaches the daemon", func(t *testing.T) {
		ctx := clientBrowser(t, chromedp.Flag("ip-address-space-overrides", "127.0.0.1:"+site.Port+"=public"))
		if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: "loopback-network"}, Setting: browser.PermissionSettingGranted, Origin: site.URL,
		}); err != nil {
			t.Fatalf("Browser.setPermission: %v", err)
		}
		open(t, ctx, site.page(sim.URL))
		var v string
		mustRun(t, ctx, install(sim.URL), &v)
		if v != "6.4.7" {
			t.Errorf("version %q", v)
		}
		// And with the permission, a stopped daemon is what it is.
		if o := run(t, ctx, install(nothing)); o.Code != "NOT_INSTALLED" {
			t.Errorf("nothing listens: %q, want NOT_INSTALLED", o.Code)
		}
	})

	t.Run("a loopback page with nothing listening: NOT_INSTALLED", func(t *testing.T) {
		ctx := clientBrowser(t)
		open(t, ctx, site.page(nothing))
		if o := run(t, ctx, install(nothing)); o.Code != "NOT_INSTALLED" || o.ClassName != "EimzoNotInstalledError" {
			t.Errorf("got %q (%s), want NOT_INSTALLED", o.Code, o.ClassName)
		}
	})
}
