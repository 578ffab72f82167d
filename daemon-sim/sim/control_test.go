package sim_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/eimzokit/eimzokit/daemon-sim/sim"
	"github.com/eimzokit/eimzokit/daemon-sim/simtest"
	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
)

// ctl sends a control API request and decodes the JSON answer into out.
func ctl(t *testing.T, s *simtest.Sim, method, path, body string, wantStatus int, out any) {
	t.Helper()
	r, err := http.NewRequest(method, s.ControlURL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, data, wantStatus)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
}

func TestControlAPI(t *testing.T) {
	s := simtest.Start(t, simtest.WithControl())
	var st sim.State
	ctl(t, s, "GET", "/v1/state", "", 200, &st)
	if st.Profile != sim.V6 || len(st.Keys) != 6 || st.Version.Major != "6" || st.Language != "ru" || st.Layout != softtoken.Windows {
		t.Fatalf("state %+v", st)
	}

	// Script the user of one key: wrong three times.
	name := st.Keys[0].Name
	ctl(t, s, "PUT", "/v1/scripts/"+name, `{"answers":["wrong","wrong","wrong"],"delay":"1ms"}`, 200, nil)
	id := loadKey(t, s.URL, listKeys(t, s.URL)[0])
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id); status(r) != -5000 {
		t.Errorf("scripted user: %s", r.AppendJSON(nil))
	}

	// A fault, seen in the state, hit once, then gone.
	var f sim.Fault
	ctl(t, s, "POST", "/v1/faults", `{"kind":"version","version":{"major":"3","minor":"20"},"times":1}`, 201, &f)
	if f.ID == 0 {
		t.Errorf("fault %+v", f)
	}
	if r := call(t, s.URL, "", "version"); r.Field("major") != "3" || r.Field("minor") != "20" {
		t.Errorf("old version: %s", r.AppendJSON(nil))
	}
	if r := call(t, s.URL, "", "version"); r.Field("major") != "6" {
		t.Errorf("the one-shot fault stayed: %s", r.AppendJSON(nil))
	}
	ctl(t, s, "POST", "/v1/faults", `{"kind":"refuse"}`, 201, &f)
	ctl(t, s, "DELETE", "/v1/faults/999", "", 404, nil)
	ctl(t, s, "DELETE", "/v1/faults", "", 204, nil)

	// Devices and keys.
	var d softtoken.DeviceInfo
	ctl(t, s, "POST", "/v1/devices", `{"kind":"idcard","pin":"1111","profile":"legal"}`, 201, &d)
	if d.ID != "idcard-1" || d.PINLeft != 3 || d.Alias == "" {
		t.Errorf("device %+v", d)
	}
	mustOK(t, call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", "idcard"))
	ctl(t, s, "DELETE", "/v1/devices/"+d.ID, "", 204, nil)
	ctl(t, s, "DELETE", "/v1/devices/"+d.ID, "", 404, nil)
	var k softtoken.KeyFile
	ctl(t, s, "POST", "/v1/keys", `{"profile":"notin","key_type":"p256","name":"DSSYSTEM"}`, 201, &k)
	if k.Name != "DSSYSTEM" || strings.Contains(k.Alias, "1.2.860.3.16.1.2=") {
		t.Errorf("key %+v", k)
	}
	ctl(t, s, "POST", "/v1/keys", `{"profile":"notin","name":"DSSYSTEM"}`, 409, nil)
	ctl(t, s, "POST", "/v1/keys", `{"profile":"revoked"}`, 201, &k)
	listKeysN(t, s.URL, 8)
	ctl(t, s, "DELETE", "/v1/keys/DSSYSTEM", "", 204, nil)
	listKeysN(t, s.URL, 7)

	// Settings.
	ctl(t, s, "PUT", "/v1/settings", `{"language":"uz","layout":"macos","developer_mode":true}`, 200, &st)
	if st.Language != "uz" || st.Layout != softtoken.MacOS || !st.DevMode {
		t.Errorf("settings %+v", st)
	}
	r, _, _ := roundTrip(t, s.URL, "https://evil.example", req("pfx", "list_disks"))
	mustOK(t, r)

	// A dialog answered by hand.
	ctl(t, s, "PUT", "/v1/scripts/"+name, `{"then":"wait"}`, 200, nil)
	done := make(chan bool, 1)
	go func() {
		r, _, _ := roundTrip(t, s.URL, localhost, req("x509", "get_certificate_chain", id))
		done <- r.Success()
	}()
	var dlgs []softtoken.OpenDialog
	ctl(t, s, "GET", "/v1/dialogs?wait=30s", "", 200, &dlgs)
	if len(dlgs) != 1 || dlgs[0].Prompt.Kind != softtoken.AskPassword {
		t.Fatalf("dialogs %+v", dlgs)
	}
	ctl(t, s, "POST", "/v1/dialogs/"+itoa(dlgs[0].ID), `{"answer":"remember"}`, 204, nil)
	if !<-done {
		t.Error("the dialog answered by hand failed")
	}

	// The event log: every call, never a password.
	var evs struct {
		Events []sim.Event `json:"events"`
		Last   int64       `json:"last"`
	}
	ctl(t, s, "GET", "/v1/events?since=0", "", 200, &evs)
	if len(evs.Events) < 10 || evs.Last != evs.Events[len(evs.Events)-1].Seq {
		t.Fatalf("%d events, last %d", len(evs.Events), evs.Last)
	}
	raw, _ := json.Marshal(evs)
	if strings.Contains(string(raw), sim.DefaultPassword) || strings.Contains(string(raw), "1111") {
		t.Error("the event log holds a password or PIN")
	}
	ctl(t, s, "GET", "/v1/events?since="+itoa(evs.Last)+"&wait=20ms", "", 200, &evs)
	if len(evs.Events) != 0 {
		t.Errorf("events after the last: %+v", evs.Events)
	}

	// Reset: the start state again.
	ctl(t, s, "POST", "/v1/reset", "", 200, &st)
	if st.Language != "ru" || st.Layout != softtoken.Windows || st.DevMode || len(st.Devices) != 0 || len(st.Scripts) != 0 || len(st.Faults) != 0 {
		t.Errorf("after reset %+v", st)
	}
	if r := call(t, s.URL, "pkcs7", "create_pkcs7", "YQ==", id); status(r) != -1010 {
		t.Errorf("key ids survive a reset: %s", r.AppendJSON(nil))
	}
}

func TestControlAPIRefusals(t *testing.T) {
	s := simtest.Start(t, simtest.WithControl())
	tests := []struct {
		name   string
		method string
		path   string
		header map[string]string
		body   string
		want   int
		code   string
	}{
		{"a web page", "GET", "/v1/state", map[string]string{"Origin": "https://evil.example"}, "", 403, sim.CodeForbidden},
		{"DNS rebinding", "GET", "/v1/state", map[string]string{"Host": "evil.example"}, "", 403, sim.CodeForbidden},
		{"no JSON content type", "POST", "/v1/faults", map[string]string{"Content-Type": "text/plain"}, `{"kind":"drop"}`, 415, sim.CodeMediaType},
		{"unknown field", "POST", "/v1/faults", map[string]string{"Content-Type": "application/json"}, `{"kind":"drop","tims":1}`, 400, sim.CodeBadRequest},
		{"unknown fault", "POST", "/v1/faults", map[string]string{"Content-Type": "application/json"}, `{"kind":"explode"}`, 400, sim.CodeBadRequest},
		{"unknown step", "PUT", "/v1/scripts/*", map[string]string{"Content-Type": "application/json"}, `{"answers":["maybe"]}`, 400, sim.CodeBadRequest},
		{"unknown device kind", "POST", "/v1/devices", map[string]string{"Content-Type": "application/json"}, `{"kind":"floppy"}`, 400, sim.CodeBadRequest},
		{"no such dialog", "POST", "/v1/dialogs/7", map[string]string{"Content-Type": "application/json"}, `{"answer":"right"}`, 404, sim.CodeNotFound},
		{"no such endpoint", "GET", "/v2/state", nil, "", 404, sim.CodeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(tt.method, s.ControlURL+tt.path, strings.NewReader(tt.body))
			for k, v := range tt.header {
				if k == "Host" {
					r.Host = v
				} else {
					r.Header.Set(k, v)
				}
			}
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct{ Error sim.ControlError }
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tt.want || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Errorf("%d %+v, want %d %s", resp.StatusCode, body.Error, tt.want, tt.code)
			}
		})
	}
}

func itoa[T int | int64](n T) string { return strconv.FormatInt(int64(n), 10) }
