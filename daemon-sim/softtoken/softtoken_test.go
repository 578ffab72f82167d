package softtoken_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken"
	"github.com/eimzokit/eimzokit/daemon-sim/testpki"
	"github.com/eimzokit/eimzokit/wasm/capiws"
	"software.sslmate.com/src/go-pkcs12"
)

const password = "test1234"

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	pkiOnce sync.Once
	pki     *testpki.PKI
	ids     []*testpki.Identity
)

// identities issues two P-256 keys once per test binary.
func identities(t testing.TB) (*testpki.PKI, []*testpki.Identity) {
	t.Helper()
	pkiOnce.Do(func() {
		var err error
		if pki, err = testpki.New(); err != nil {
			panic(err)
		}
		for i, p := range []testpki.Profile{testpki.Physical, testpki.Legal} {
			id, err := pki.Issue(p, testpki.P256, i+1)
			if err != nil {
				panic(err)
			}
			ids = append(ids, id)
		}
	})
	return pki, ids
}

// newStore returns a store with the two keys DS1 and DS2.
func newStore(t testing.TB, opts ...softtoken.Option) *softtoken.Store {
	t.Helper()
	_, ids := identities(t)
	s, err := softtoken.Open(t.TempDir(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		pfx, err := id.PKCS12(password)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add("DS"+string(rune('1'+i)), pfx, password); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func statusOf(err error) capiws.Status {
	var f *softtoken.Failure
	if errors.As(err, &f) {
		return f.Status
	}
	if err == nil {
		return capiws.StatusOK
	}
	return -1
}

func causeOf(err error) string {
	var f *softtoken.Failure
	if errors.As(err, &f) {
		return f.Cause
	}
	return ""
}

func TestLoadStatus(t *testing.T) {
	s := newStore(t)
	k := s.List()[0]
	tests := []struct {
		name                    string
		disk, path, file, alias string
		want                    capiws.Status
	}{
		{"listed", k.Disk, k.Path, k.Name, k.Alias, capiws.StatusOK},
		{"alias in capitals", k.Disk, k.Path, k.Name, strings.ToUpper(k.Alias), capiws.StatusOK},
		{"bad path", k.Disk, "KEYS", k.Name, k.Alias, capiws.StatusBadPath},
		{"unknown disk", `D:\`, k.Path, k.Name, k.Alias, capiws.StatusDiskNotFound},
		{"disk root", k.Disk, "", k.Name, k.Alias, capiws.StatusPFXFileMissing},
		{"no such file", k.Disk, k.Path, "DS9", k.Alias, capiws.StatusPFXFileMissing},
		{"other alias", k.Disk, k.Path, k.Name, "cn=someone", capiws.StatusAliasNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := s.Load(tt.disk, tt.path, tt.file, tt.alias)
			if got := statusOf(err); got != tt.want {
				t.Fatalf("status %v (%v), want %v", got, err, tt.want)
			}
			if tt.want == capiws.StatusOK && !s.Known(id) {
				t.Error("the key id is not known")
			}
			if tt.want == capiws.StatusAliasNotFound && !strings.Contains(err.Error(), `C:\DSKEYS\DS1.pfx`) {
				t.Errorf("reason does not name the daemon's file path: %v", err)
			}
		})
	}
}

func TestLayouts(t *testing.T) {
	tests := []struct {
		layout    softtoken.Layout
		disks     []string
		locations [][2]string
	}{
		{softtoken.Windows, []string{`C:\`}, [][2]string{{`C:\`, "DSKEYS"}}},
		{softtoken.Linux, []string{"/media/"}, [][2]string{{"/media/", "DSKEYS"}}},
		{softtoken.MacOS, []string{"/Volumes/", "/Volumes/DSKEYS/"}, [][2]string{{"/Volumes/", "DSKEYS"}, {"/Volumes/DSKEYS/", ""}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.layout), func(t *testing.T) {
			s := newStore(t, softtoken.WithLayout(tt.layout))
			if got := strings.Join(s.Layout().Disks(), " "); got != strings.Join(tt.disks, " ") {
				t.Errorf("disks %q", got)
			}
			list := s.List()
			if len(list) != 2*len(tt.locations) {
				t.Fatalf("listed %d, want %d: %+v", len(list), 2*len(tt.locations), list)
			}
			for i, loc := range tt.locations {
				for j := 0; j < 2; j++ {
					k := list[i*2+j]
					if k.Disk != loc[0] || k.Path != loc[1] {
						t.Errorf("entry %d at %q %q, want %q", i*2+j, k.Disk, k.Path, loc)
					}
					if _, err := s.Load(k.Disk, k.Path, k.Name, k.Alias); err != nil {
						t.Errorf("load_key(%q, %q): %v", k.Disk, k.Path, err)
					}
				}
				on, err := s.ListDisk(loc[0])
				if err != nil || len(on) < 2 {
					t.Errorf("list_certificates(%q) = %d, %v", loc[0], len(on), err)
				}
			}
			if _, err := s.ListDisk("Z:"); statusOf(err) != capiws.StatusDiskNotFound {
				t.Errorf("unknown disk: %v", err)
			}
		})
	}
}

// unlock loads key DS1 and unlocks it, collecting the dialog events.
func unlock(t *testing.T, s *softtoken.Store, id string) ([]softtoken.DialogEvent, error) {
	t.Helper()
	var evs []softtoken.DialogEvent
	ctx := softtoken.WithObserver(context.Background(), func(e softtoken.DialogEvent) { evs = append(evs, e) })
	_, err := s.Unlock(ctx, id)
	return evs, err
}

func load(t *testing.T, s *softtoken.Store) string {
	t.Helper()
	k := s.List()[0]
	id, err := s.Load(k.Disk, k.Path, k.Name, k.Alias)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func answers(evs []softtoken.DialogEvent) string {
	var parts []string
	for _, e := range evs {
		parts = append(parts, string(e.Kind)+":"+string(e.Answer))
	}
	return strings.Join(parts, ",")
}

func TestPasswordDialogScripts(t *testing.T) {
	W, R, C := softtoken.Wrong, softtoken.Right, softtoken.Cancel
	tests := []struct {
		name       string
		script     softtoken.Script
		want       capiws.Status
		wantCause  string
		wantDialog string
		wantErrors string // what the dialog showed before each attempt
	}{
		{"right at once", softtoken.Script{}, capiws.StatusOK, "", "password:right", ""},
		{"wrong twice then right", softtoken.Script{Answers: []softtoken.Step{W, W, R}}, capiws.StatusOK, "", "password:wrong,password:wrong,password:right", ",WRONG_PASSWORD,WRONG_PASSWORD"},
		{"three wrong", softtoken.Script{Then: W}, capiws.StatusPasswordCancelled, softtoken.CauseWrongPassword, "password:wrong,password:wrong,password:wrong", ",WRONG_PASSWORD,WRONG_PASSWORD"},
		{"cancel", softtoken.Script{Answers: []softtoken.Step{C}}, capiws.StatusPasswordCancelled, softtoken.CauseCancelled, "password:cancel", ""},
		{"wrong then cancel", softtoken.Script{Answers: []softtoken.Step{W, C}}, capiws.StatusPasswordCancelled, softtoken.CauseCancelled, "password:wrong,password:cancel", ",WRONG_PASSWORD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if err := s.SetScript("DS1", tt.script); err != nil {
				t.Fatal(err)
			}
			evs, err := unlock(t, s, load(t, s))
			if statusOf(err) != tt.want || causeOf(err) != tt.wantCause {
				t.Fatalf("status %v cause %q (%v), want %v %q", statusOf(err), causeOf(err), err, tt.want, tt.wantCause)
			}
			if got := answers(evs); got != tt.wantDialog {
				t.Errorf("dialog %s, want %s", got, tt.wantDialog)
			}
			var shown []string
			for i, e := range evs {
				shown = append(shown, e.Error)
				if e.Attempt != i+1 || e.AttemptsLeft != softtoken.MaxAttempts-i || e.Target != "DS1" {
					t.Errorf("prompt %d: %+v", i, e.Prompt)
				}
			}
			if got := strings.Join(shown, ","); got != tt.wantErrors {
				t.Errorf("errors shown %q, want %q", got, tt.wantErrors)
			}
		})
	}
}

func TestScriptAnswersCarryAcrossDialogs(t *testing.T) {
	s := newStore(t)
	W := softtoken.Wrong
	// Four wrong answers: the first dialog ends after three (-5000), the
	// second takes the fourth and then the right one.
	if err := s.SetScript("DS1", softtoken.Script{Answers: []softtoken.Step{W, W, W, W}}); err != nil {
		t.Fatal(err)
	}
	id := load(t, s)
	if _, err := unlock(t, s, id); statusOf(err) != capiws.StatusPasswordCancelled {
		t.Fatalf("first dialog: %v", err)
	}
	evs, err := unlock(t, s, id)
	if err != nil || answers(evs) != "password:wrong,password:right" {
		t.Fatalf("second dialog: %v %s", err, answers(evs))
	}
	// The default script applies to keys without one.
	if err := s.SetScript(softtoken.DefaultTarget, softtoken.Script{Then: softtoken.Cancel}); err != nil {
		t.Fatal(err)
	}
	k := s.List()[1]
	id2, _ := s.Load(k.Disk, k.Path, k.Name, k.Alias)
	if _, err := unlock(t, s, id2); causeOf(err) != softtoken.CauseCancelled {
		t.Errorf("default script: %v", err)
	}
	if err := s.SetScript("DS1", softtoken.Script{Answers: []softtoken.Step{"typo"}}); err == nil {
		t.Error("an unknown step was accepted")
	}
}

func TestPasswordCache(t *testing.T) {
	tests := []struct {
		name     string
		step     softtoken.Step
		cached   time.Duration // still cached after this
		expired  time.Duration // asked again after this
		wantKind string
	}{
		{"one minute", softtoken.Right, 59 * time.Second, time.Minute, "password:right"},
		{"remember for six hours", softtoken.Remember, 6*time.Hour - time.Second, 6 * time.Hour, "password:remember"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
			s := newStore(t, softtoken.WithClock(clock.Now))
			_ = s.SetScript("DS1", softtoken.Script{Answers: []softtoken.Step{tt.step}})
			id := load(t, s)
			if evs, err := unlock(t, s, id); err != nil || answers(evs) != tt.wantKind {
				t.Fatalf("first unlock: %v %s", err, answers(evs))
			}
			clock.Advance(tt.cached)
			if evs, err := unlock(t, s, id); err != nil || len(evs) != 0 {
				t.Fatalf("within the cache: %v, %d prompts", err, len(evs))
			}
			clock.Advance(tt.expired - tt.cached)
			if evs, err := unlock(t, s, id); err != nil || len(evs) != 1 {
				t.Fatalf("after the cache: %v, %d prompts", err, len(evs))
			}
			// verify_password asks every time, cache or not.
			var n int
			ctx := softtoken.WithObserver(context.Background(), func(softtoken.DialogEvent) { n++ })
			if err := s.VerifyPassword(ctx, id); err != nil || n != 1 {
				t.Fatalf("verify_password: %v, %d prompts", err, n)
			}
		})
	}
}

func TestSessionStatus(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	s := newStore(t, softtoken.WithClock(clock.Now), softtoken.WithSessionTTL(time.Hour))
	id := load(t, s)
	pair := s.AddKeyPair(ids[0].Key)
	ctx := context.Background()
	tests := []struct {
		name string
		run  func() error
		want capiws.Status
	}{
		{"unlock unknown id", func() error { _, err := s.Unlock(ctx, "nope"); return err }, capiws.StatusKeyIDNotFound},
		{"unlock a key pair", func() error { _, err := s.Unlock(ctx, pair); return err }, capiws.StatusIDNotForKey},
		{"verify_password unknown id", func() error { return s.VerifyPassword(ctx, "nope") }, capiws.StatusPFXIDNotFound},
		{"verify_password on a key pair", func() error { return s.VerifyPassword(ctx, pair) }, capiws.StatusPFXIDNotFound},
		{"change_password unknown id", func() error { return s.ChangePassword(ctx, "nope") }, capiws.StatusPFXIDNotFound},
		{"unload a key pair as PFX", func() error { return s.Unload(pair, softtoken.PFXSession) }, capiws.StatusPFXIDNotFound},
		{"key pair by a PFX id", func() error { _, err := s.KeyPair(id); return err }, capiws.StatusKeyPairNotFound},
		{"unload", func() error { return s.Unload(id, softtoken.PFXSession) }, capiws.StatusOK},
		{"unload twice", func() error { return s.Unload(id, softtoken.PFXSession) }, capiws.StatusPFXIDNotFound},
		{"after unload", func() error { _, err := s.Unlock(ctx, id); return err }, capiws.StatusKeyIDNotFound},
		{"expired key id", func() error {
			id := load(t, s)
			clock.Advance(time.Hour)
			_, err := s.Unlock(ctx, id)
			return err
		}, capiws.StatusKeyIDNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusOf(tt.run()); got != tt.want {
				t.Errorf("status %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChangePassword(t *testing.T) {
	tests := []struct {
		name    string
		script  softtoken.Script
		want    capiws.Status
		wantPW  string
		dialogs string
	}{
		{"new password", softtoken.Script{NewPassword: "yangi-parol"}, capiws.StatusOK, "yangi-parol", "password:right,new_password:right,confirm_password:right"},
		{"confirmation differs", softtoken.Script{NewPassword: "yangi", Answers: []softtoken.Step{softtoken.Right, softtoken.Right, softtoken.Mismatch}}, capiws.StatusNewPasswordsMismatch, password, "password:right,new_password:right,confirm_password:mismatch"},
		{"cancel at the new password", softtoken.Script{Answers: []softtoken.Step{softtoken.Right, softtoken.Cancel}}, capiws.StatusPasswordCancelled, password, "password:right,new_password:cancel"},
		{"three wrong current passwords", softtoken.Script{Then: softtoken.Wrong}, capiws.StatusPasswordCancelled, password, "password:wrong,password:wrong,password:wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			_ = s.SetScript("DS1", tt.script)
			id := load(t, s)
			var evs []softtoken.DialogEvent
			ctx := softtoken.WithObserver(context.Background(), func(e softtoken.DialogEvent) { evs = append(evs, e) })
			err := s.ChangePassword(ctx, id)
			if statusOf(err) != tt.want {
				t.Fatalf("status %v (%v), want %v", statusOf(err), err, tt.want)
			}
			if got := answers(evs); got != tt.dialogs {
				t.Errorf("dialogs %s, want %s", got, tt.dialogs)
			}
			// The file on disk opens with exactly the expected password, and
			// a fresh store (a restart) agrees.
			data, err := os.ReadFile(filepath.Join(s.Dir(), "DS1.pfx"))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, _, err := pkcs12.DecodeChain(data, tt.wantPW); err != nil {
				t.Errorf("the key file does not open with %q: %v", tt.wantPW, err)
			}
			again, err := softtoken.Open(s.Dir())
			if err != nil {
				t.Fatal(err)
			}
			if pw, _ := again.Password("DS1"); pw != tt.wantPW || len(again.List()) != 2 {
				t.Errorf("after a restart: password %q, %d keys", pw, len(again.List()))
			}
		})
	}
}

func TestDialogIsModal(t *testing.T) {
	s := newStore(t)
	_ = s.SetScript("DS1", softtoken.Script{Answers: []softtoken.Step{softtoken.Wait}})
	id := load(t, s)
	k2 := s.List()[1]
	id2, _ := s.Load(k2.Disk, k2.Path, k2.Name, k2.Alias)
	done := make(chan error, 1)
	go func() { _, err := s.Unlock(context.Background(), id); done <- err }()
	open, err := s.WaitDialog(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if open.Prompt.Target != "DS1" || open.Prompt.Kind != softtoken.AskPassword || len(s.OpenDialogs()) != 1 {
		t.Errorf("open dialog %+v", open)
	}
	// Another key needs a dialog meanwhile: -3001.
	if _, err := s.Unlock(context.Background(), id2); statusOf(err) != capiws.StatusWaitingForUser {
		t.Errorf("second dialog: %v, want -3001", err)
	}
	if err := s.AnswerDialog(open.ID+1, softtoken.Right); !errors.Is(err, softtoken.ErrNoDialog) {
		t.Errorf("answer to another dialog: %v", err)
	}
	if err := s.AnswerDialog(open.ID, softtoken.Right); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("answered by hand: %v", err)
	}
	if len(s.OpenDialogs()) != 0 {
		t.Error("the dialog is still open")
	}
}

func TestAbandonedDialogLeavesNothingBehind(t *testing.T) {
	s := newStore(t)
	_ = s.SetScript("DS1", softtoken.Script{Then: softtoken.Wait})
	id := load(t, s)
	before := runtime.NumGoroutine()
	for i := 0; i < 20; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		var evs []softtoken.DialogEvent
		var mu sync.Mutex
		ctx = softtoken.WithObserver(ctx, func(e softtoken.DialogEvent) { mu.Lock(); evs = append(evs, e); mu.Unlock() })
		done := make(chan error, 1)
		go func() { _, err := s.Unlock(ctx, id); done <- err }()
		if _, err := s.WaitDialog(ctx, 0); err != nil {
			t.Fatal(err)
		}
		cancel() // the client went away
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("abandoned unlock: %v", err)
		}
		mu.Lock()
		if answers(evs) != "password:abandoned" {
			t.Errorf("events %s", answers(evs))
		}
		mu.Unlock()
	}
	if len(s.OpenDialogs()) != 0 {
		t.Error("a dialog stayed open")
	}
	for i := 0; i < 100 && runtime.NumGoroutine() > before; i++ {
		time.Sleep(time.Millisecond) // let finished goroutines exit; nothing is timed
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left behind", n-before)
	}
}

func TestTypingDelayUsesTheClock(t *testing.T) {
	s := newStore(t)
	_ = s.SetScript("DS1", softtoken.Script{Delay: softtoken.Duration(8 * time.Second), Answers: []softtoken.Step{softtoken.Wrong}})
	id := load(t, s)
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		if _, err := s.Unlock(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		// Two answers (wrong, right), eight seconds of typing each, in fake time.
		if got := time.Since(start); got != 16*time.Second {
			t.Errorf("the user took %v, want 16s", got)
		}
	})
}

func TestDevicePINAndPUK(t *testing.T) {
	s := newStore(t)
	dev, err := s.Plug(softtoken.Device{Kind: softtoken.IDCard, Key: &softtoken.Key{Signer: ids[0].Key, Cert: ids[0].Cert}, PINAttempts: 3, PUKAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.FirstDevice(softtoken.IDCard, softtoken.BAIK)
	if err != nil || d.ID != dev.ID {
		t.Fatalf("first device %v %v", d, err)
	}
	W, R, C, M := softtoken.Wrong, softtoken.Right, softtoken.Cancel, softtoken.Remember
	steps := []struct {
		name      string
		answers   []softtoken.Step
		want      capiws.Status
		wantCause string
		dialog    string // kind:answer:attempts_left:error
		pinLeft   int
	}{
		{"wrong then cancel", []softtoken.Step{W, C}, capiws.StatusPasswordCancelled, softtoken.CauseCancelled, "pin:wrong:3:,pin:cancel:2:INVALID_PIN", 2},
		{"the counter survives the call", []softtoken.Step{R}, capiws.StatusOK, "", "pin:right:2:", 3},
		{"three wrong lock the PIN", []softtoken.Step{W, W, W}, capiws.StatusRuntime, softtoken.CausePINLocked, "pin:wrong:3:,pin:wrong:2:INVALID_PIN,pin:wrong:1:INVALID_PIN", 0},
		{"locked: the PUK is asked, cancel", []softtoken.Step{C}, capiws.StatusPasswordCancelled, softtoken.CauseCancelled, "puk:cancel:2:MAX_ATTEMPTS_EXCEEDED", 0},
		{"PUK unblocks, then the PIN", []softtoken.Step{W, R, R}, capiws.StatusOK, "", "puk:wrong:2:MAX_ATTEMPTS_EXCEEDED,puk:right:1:INVALID_PUK,pin:right:3:", 3},
		{"PIN saved", []softtoken.Step{M}, capiws.StatusOK, "", "pin:remember:3:", 3},
		{"saved PIN asks nothing", nil, capiws.StatusOK, "", "", 3},
	}
	for _, st := range steps {
		_ = s.SetScript(dev.ID, softtoken.Script{Answers: st.answers})
		var evs []string
		ctx := softtoken.WithObserver(context.Background(), func(e softtoken.DialogEvent) {
			evs = append(evs, strings.Join([]string{string(e.Kind), string(e.Answer), itoa(e.AttemptsLeft), e.Error}, ":"))
		})
		_, err := s.UnlockDevice(ctx, d)
		if statusOf(err) != st.want || causeOf(err) != st.wantCause {
			t.Fatalf("%s: status %v cause %q (%v)", st.name, statusOf(err), causeOf(err), err)
		}
		if got := strings.Join(evs, ","); got != st.dialog {
			t.Errorf("%s: dialog %s, want %s", st.name, got, st.dialog)
		}
		if info := s.Devices()[0]; info.PINLeft != st.pinLeft {
			t.Errorf("%s: %d PIN attempts left, want %d", st.name, info.PINLeft, st.pinLeft)
		}
	}
	s.ClearSavedPINs(softtoken.IDCard)
	// Lock the PIN, then use up the PUK: blocked for good.
	_ = s.SetScript(dev.ID, softtoken.Script{Then: W})
	_, _ = s.UnlockDevice(context.Background(), d)
	if _, err := s.UnlockDevice(context.Background(), d); causeOf(err) != softtoken.CauseBlocked {
		t.Fatalf("PUK exhausted: %v", err)
	}
	_ = s.SetScript(dev.ID, softtoken.Script{})
	if _, err := s.UnlockDevice(context.Background(), d); causeOf(err) != softtoken.CauseBlocked || !s.Devices()[0].Blocked {
		t.Fatalf("blocked device: %v", err)
	}
	if !s.Unplug(dev.ID) || len(s.Devices()) != 0 {
		t.Error("unplug")
	}
	if _, err := s.FirstDevice(softtoken.IDCard); statusOf(err) != capiws.StatusRuntime || !strings.Contains(err.Error(), "Устройство не найдено") {
		t.Errorf("no device: %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestRealPKCS12Files(t *testing.T) {
	tests := []struct{ file, password string }{
		{"OPENSSL3DEFAULT.pfx", "openssl3"},
		{"OPENSSL3LEGACY.pfx", "legacy1"},
	}
	s, err := softtoken.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		data, err := os.ReadFile(filepath.Join("testdata", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(strings.TrimSuffix(tt.file, ".pfx"), data, "not-it"); err == nil {
			t.Errorf("%s added with a wrong password", tt.file)
		}
		if err := s.Add(strings.TrimSuffix(tt.file, ".pfx"), data, tt.password); err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
	}
	list := s.List()
	if len(list) != 2 {
		t.Fatalf("listed %+v", list)
	}
	for _, k := range list {
		a := capiws.ParseAlias(k.Alias)
		if a.CN != "openssl test fuqaro" || a.UID != "512345678" {
			t.Errorf("alias %q", k.Alias)
		}
		id, _ := s.Load(k.Disk, k.Path, k.Name, k.Alias)
		if _, err := s.Unlock(context.Background(), id); err != nil {
			t.Errorf("%s: unlock: %v", k.Name, err)
		}
	}
}

func TestDroppedFilesAppear(t *testing.T) {
	s := newStore(t)
	data, _ := os.ReadFile(filepath.Join("testdata", "OPENSSL3DEFAULT.pfx"))
	if err := os.WriteFile(filepath.Join(s.Dir(), "DROPPED.pfx"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := len(s.List()); n != 2 {
		t.Errorf("a key without a known password is listed: %d", n)
	}
	if sk := s.Skipped(); len(sk) != 1 || !strings.Contains(sk[0], "DROPPED") {
		t.Errorf("skipped %q", sk)
	}
	pw := `{"DS1":"test1234","DS2":"test1234","DROPPED":"openssl3"}`
	if err := os.WriteFile(filepath.Join(s.Dir(), softtoken.PasswordsFile), []byte(pw), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := len(s.List()); n != 3 {
		t.Errorf("after the password was added: %d keys", n)
	}
}
