//go:build js && wasm

package jsapi

import (
	"context"
	"syscall/js"

	"github.com/eimzokit/eimzokit/wasm/eimzo"
)

// maxQRDocument bounds what mobileQrCode hashes: the phone signs a
// challenge or a document the server also holds.
const maxQRDocument = eimzo.DefaultMaxDataBytes

// addMobile adds mobileQrCode(siteId, documentId, data, {lang, signal}),
// the code the E-IMZO ID-CARD app scans (PROTOCOL.md §7). The hash is GOST
// R 34.11-94 with the CryptoPro S-box (wasm/gost94), hence Go
// ([eimzo.MobileCode]).
func addMobile(api js.Value) {
	api.Set("mobileQrCode", js.FuncOf(func(_ js.Value, args []js.Value) (result any) {
		defer recoverInto(&result)
		o := arg(args, 3)
		lang := eimzo.LangUZ
		if o.Type() == js.TypeObject && o.Get("lang").Type() == js.TypeString {
			switch l := eimzo.Lang(o.Get("lang").String()); l {
			case eimzo.LangRU, eimzo.LangEN:
				lang = l
			}
		}
		return Promise(signalOpt(o), lang, func(ctx context.Context) (any, error) {
			site, doc := arg(args, 0), arg(args, 1)
			if site.Type() != js.TypeString || doc.Type() != js.TypeString {
				return nil, badArgument("siteId and documentId must be strings")
			}
			data, err := Bytes(ctx, arg(args, 2), maxQRDocument)
			if err != nil {
				return nil, err
			}
			code, hash, err := eimzo.MobileCode(site.String(), doc.String(), data)
			if err != nil {
				return nil, err
			}
			out := newObject()
			out.Set("code", code)
			out.Set("hash", hash)
			groups := jsArray.New()
			for i := 0; i < len(hash); i += 16 {
				groups.Call("push", hash[i:i+16])
			}
			out.Set("hashGroups", groups)
			out.Set("deeplink", eimzo.MobileDeeplink(code))
			return out, nil
		})
	}))
}
