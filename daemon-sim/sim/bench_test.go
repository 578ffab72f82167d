package sim_test

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/ws"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// benchConn is a minimal client, so the benchmark measures the daemon
// more than the client sharing the same two cores.
type benchConn struct {
	nc net.Conn
	br *bufio.Reader
}

func benchDial(addr, query string) (*benchConn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	hs := "GET " + capiws.Path + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://localhost\r\nUpgrade: websocket\r\n" +
		"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
	if _, err := nc.Write([]byte(hs)); err != nil {
		nc.Close()
		return nil, err
	}
	br := bufio.NewReaderSize(nc, 16<<10)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		nc.Close()
		return nil, io.ErrUnexpectedEOF
	}
	return &benchConn{nc, br}, nil
}

func (c *benchConn) frame(op ws.Opcode, p []byte) error {
	h := ws.Header{Fin: true, Op: op, Masked: true, Length: int64(len(p))} // zero mask: payload unchanged
	_, err := c.nc.Write(append(ws.AppendHeader(nil, h), p...))
	return err
}

func (c *benchConn) read() (ws.Opcode, []byte, error) {
	h, err := ws.ReadHeader(c.br)
	if err != nil {
		return 0, nil, err
	}
	p := make([]byte, h.Length)
	_, err = io.ReadFull(c.br, p)
	return h.Op, p, err
}

// benchSign signs with 50 concurrent connections and reports signatures
// per second and the 99th percentile latency. With oneShot each signature
// is a connection of its own, as browsers make them; otherwise 50
// ?keepConnection sockets send one request after another.
func benchSign(b *testing.B, keyIndex int, oneShot bool) {
	var opts []simtest.Option
	if keyIndex < 0 {
		opts = append(opts, simtest.WithGOSTKeys())
	}
	s := simtest.Start(b, opts...)
	var k keyFile
	if keyIndex >= 0 {
		k = listKeys(b, s.URL)[keyIndex]
	} else {
		k = gostKeys(b, s)[0]
	}
	s.Script(k.Name, softtoken.Script{Then: softtoken.Remember})
	id := mustOK(b, call(b, s.URL, "pfx", "load_key", k.Disk, k.Path, k.Name, k.Alias)).Field("keyId")
	mustOK(b, call(b, s.URL, "x509", "get_certificate_chain", id))                         // the password, remembered
	doc := base64.StdEncoding.EncodeToString([]byte(strings.Repeat("Hujjat matni. ", 73))) // ~1 KiB
	frame := []byte(req("pkcs7", "create_pkcs7", doc, id, "no"))
	addr := s.HTTP.Listener.Addr().String()
	const workers = 50
	var (
		next    atomic.Int64
		mu      sync.Mutex
		lat     = make([]time.Duration, 0, b.N)
		failed  atomic.Int64
		wg      sync.WaitGroup
		barrier = make(chan struct{})
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var conn *benchConn
			if !oneShot {
				var err error
				if conn, err = benchDial(addr, "?keepConnection"); err != nil {
					failed.Add(1)
					return
				}
				defer conn.nc.Close()
			}
			mine := make([]time.Duration, 0, b.N/workers+1)
			<-barrier
			for next.Add(1) <= int64(b.N) {
				start := time.Now()
				c := conn
				if oneShot {
					var err error
					if c, err = benchDial(addr, ""); err != nil {
						failed.Add(1)
						continue
					}
				}
				_ = c.frame(ws.OpText, frame)
				op, reply, err := c.read()
				if err != nil || op != ws.OpText || !strings.Contains(string(reply[:min(len(reply), 40)]), `"success":true`) {
					failed.Add(1)
				}
				mine = append(mine, time.Since(start))
				if oneShot {
					_, _, _ = c.read() // the daemon's close 1000 "Done"
					_ = c.frame(ws.OpClose, []byte{0x03, 0xe8})
					c.nc.Close()
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	b.ResetTimer()
	start := time.Now()
	close(barrier)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if failed.Load() > 0 {
		b.Fatalf("%d of %d signatures failed", failed.Load(), b.N)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "sigs/s")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkSign: RSA-2048 (default key 0), P-256 (default key 1) and a
// GOST key (O'zDSt 1092, simtest.WithGOSTKeys), one connection per
// signature and kept connections, 50 at a time.
func BenchmarkSign(b *testing.B) {
	for _, alg := range []struct {
		name string
		key  int
	}{{"rsa2048", 0}, {"p256", 1}, {"gost", -1}} {
		for _, mode := range []struct {
			name    string
			oneShot bool
		}{{"one-shot", true}, {"keepConnection", false}} {
			b.Run(alg.name+"/"+mode.name, func(b *testing.B) { benchSign(b, alg.key, mode.oneShot) })
		}
	}
}
