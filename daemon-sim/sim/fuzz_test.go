package sim

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// FuzzHandleFrame feeds arbitrary text frames to the dispatcher, in both
// profiles: the daemon must never panic, and must always answer one JSON
// value: an object with a boolean success (and in v6 a numeric status), or
// apidoc's bare array.
func FuzzHandleFrame(f *testing.F) {
	file, err := os.Open(filepath.Join("testdata", "requests.txt"))
	if err != nil {
		f.Fatal(err)
	}
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		f.Add(sc.Bytes(), false)
		f.Add(sc.Bytes(), true)
	}
	file.Close()
	data, err := OpenData(f.TempDir(), nil)
	if err != nil {
		f.Fatal(err)
	}
	servers := map[bool]*Server{false: New(data.Store, WithPKI(data.PKI, "")), true: New(data.Store, WithProfile(V5), WithPKI(data.PKI, ""))}
	cs := &connState{id: 1, origin: "http://localhost", domain: "localhost"}
	f.Fuzz(func(t *testing.T, frame []byte, v5 bool) {
		s := servers[v5]
		c := s.newCall(context.Background(), cs, frame)
		reply := s.dispatch(c)
		v, err := capiws.ParseReply(reply)
		if err != nil {
			t.Fatalf("reply %q is not JSON: %v", reply, err)
		}
		if v.Kind() == capiws.Array {
			if c.req.Name != "apidoc" {
				t.Fatalf("a bare array answers %q", c.req.Name)
			}
			return
		}
		ok, has := v.Get("success")
		if !has || ok.Kind() != capiws.Bool {
			t.Fatalf("reply %q has no boolean success", reply)
		}
		st, hasStatus := v.Status()
		if hasStatus == v5 {
			t.Fatalf("v5=%v but status present=%v: %q", v5, hasStatus, reply)
		}
		if !ok.BoolValue() && v.Reason() == "" {
			t.Fatalf("a failure without a reason: %q", reply)
		}
		if hasStatus && ok.BoolValue() != (st == capiws.StatusOK) {
			t.Fatalf("success and status disagree: %q", reply)
		}
	})
}
