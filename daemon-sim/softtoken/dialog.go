package softtoken

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/eimzokit/eimzokit/daemon-sim/softtoken/pfx"
	"github.com/eimzokit/eimzokit/wasm/capiws"
)

// PromptKind is what a dialog asks for.
type PromptKind string

// Prompt kinds.
const (
	AskPassword        PromptKind = "password"
	AskNewPassword     PromptKind = "new_password"
	AskConfirmPassword PromptKind = "confirm_password"
	AskPIN             PromptKind = "pin"
	AskPUK             PromptKind = "puk"
)

// Errors a dialog shows above its prompt, after a failed attempt (the
// chrome.certificateProvider PIN model: PinRequestErrorType).
const (
	ShowWrongPassword      = "WRONG_PASSWORD" // "Пароль ключа неверный или файл ключа поврежден"
	ShowInvalidPIN         = "INVALID_PIN"
	ShowInvalidPUK         = "INVALID_PUK"
	ShowMaxAttemptsReached = "MAX_ATTEMPTS_EXCEEDED"
)

// Prompt is what a dialog shows.
type Prompt struct {
	Kind         PromptKind `json:"kind"`
	Target       string     `json:"target"` // key file name or device id
	Alias        string     `json:"alias,omitempty"`
	Attempt      int        `json:"attempt"`                 // 1, 2, … within this dialog
	AttemptsLeft int        `json:"attempts_left,omitempty"` // before -5000, or before a token locks
	Error        string     `json:"error,omitempty"`         // shown above the prompt after a failed attempt
}

// Answer is what the user does with a prompt.
type Answer struct {
	Input    string // the password, PIN or PUK typed
	Remember bool   // "Запомнить на 6 час." (or "save the PIN") ticked
	Cancel   bool
}

// User answers dialogs for keys and devices that have no [Script].
type User interface {
	// Answer answers p; correct is the right input. An error (the
	// context's) abandons the dialog.
	Answer(ctx context.Context, p Prompt, correct string) (Answer, error)
}

// RightAnswer is the default user: types the right input at once.
type RightAnswer struct{}

// Answer returns the correct input.
func (RightAnswer) Answer(_ context.Context, _ Prompt, correct string) (Answer, error) {
	return Answer{Input: correct}, nil
}

// Step is one scripted answer.
type Step string

// Scripted answers.
const (
	Right    Step = "right"    // the right password, PIN or PUK
	Remember Step = "remember" // the right one, ticking "remember for 6 hours" (for a token: save the PIN)
	Wrong    Step = "wrong"    // a wrong one
	Cancel   Step = "cancel"   // closes the dialog
	Wait     Step = "wait"     // leaves the dialog open until answered through [Store.AnswerDialog] or the client goes
	Mismatch Step = "mismatch" // change_password: a confirmation that differs from the new password
)

func (st Step) valid() bool {
	switch st {
	case Right, Remember, Wrong, Cancel, Wait, Mismatch:
		return true
	}
	return false
}

// Script is what the simulated user does at the dialogs of one key or
// device. Answers are used one per prompt, across dialogs; when they run
// out, Then (default Right) answers every later prompt.
type Script struct {
	Answers     []Step   `json:"answers,omitempty"`
	Then        Step     `json:"then,omitempty"`
	Delay       Duration `json:"delay,omitempty"`        // before each answer: a person typing
	NewPassword string   `json:"new_password,omitempty"` // what change_password sets; default: the same password
}

// Validate reports an unknown step.
func (sc Script) Validate() error {
	for _, st := range append([]Step{sc.Then}, sc.Answers...) {
		if st != "" && !st.valid() {
			return fmt.Errorf("softtoken: unknown answer %q (want right, remember, wrong, cancel, wait or mismatch)", st)
		}
	}
	if sc.Delay < 0 {
		return errors.New("softtoken: negative delay")
	}
	return nil
}

// Duration is a time.Duration that reads from JSON as "1.5s" or as a
// number of milliseconds.
type Duration time.Duration

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "250ms" or 250.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		*d = Duration(v)
		return err
	}
	ms, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("softtoken: duration %s: want \"1.5s\" or milliseconds", b)
	}
	*d = Duration(ms * float64(time.Millisecond))
	return nil
}

type scriptState struct {
	Script
	used int // answers consumed
}

func (st *scriptState) next() Step {
	if st.used < len(st.Answers) {
		st.used++
		return st.Answers[st.used-1]
	}
	if st.Then != "" {
		return st.Then
	}
	return Right
}

// DefaultTarget scripts every key and device without a script of its own.
const DefaultTarget = "*"

// SetScript scripts the user for target: a key file name, a device id or
// DefaultTarget. It replaces the target's script and restarts its answers.
func (s *Store) SetScript(target string, sc Script) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	s.scripts[target] = &scriptState{Script: sc}
	s.mu.Unlock()
	return nil
}

// ClearScript removes target's script.
func (s *Store) ClearScript(target string) {
	s.mu.Lock()
	delete(s.scripts, target)
	s.mu.Unlock()
}

// ScriptState is a script with how many of its answers were used.
type ScriptState struct {
	Target string `json:"target"`
	Script
	Used int `json:"used"`
}

// Scripts returns every script.
func (s *Store) Scripts() []ScriptState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ScriptState, 0, len(s.scripts))
	for t, st := range s.scripts {
		out = append(out, ScriptState{Target: t, Script: st.Script, Used: st.used})
	}
	return out
}

// DialogEvent is one prompt and how it was answered, for the event log. It
// never holds what was typed.
type DialogEvent struct {
	Prompt
	Answer Step `json:"answer"` // right, remember, wrong, cancel, mismatch, or "abandoned"
}

// Abandoned is the answer of a dialog whose client went away.
const Abandoned Step = "abandoned"

type observerKey struct{}

// WithObserver returns a context whose dialogs report each prompt to fn.
func WithObserver(ctx context.Context, fn func(DialogEvent)) context.Context {
	return context.WithValue(ctx, observerKey{}, fn)
}

func observe(ctx context.Context, ev DialogEvent) {
	if fn, ok := ctx.Value(observerKey{}).(func(DialogEvent)); ok {
		fn(ev)
	}
}

// dialog is the open modal dialog. The real daemon shows one at a time; a
// call that needs another while one is open gets -3001.
type dialog struct {
	id     int64
	since  time.Time
	prompt Prompt
	answer chan Step // a manual answer for a waiting prompt
}

// OpenDialog is a dialog on screen.
type OpenDialog struct {
	ID     int64     `json:"id"`
	Since  time.Time `json:"since"`
	Prompt Prompt    `json:"prompt"`
}

func (s *Store) openDialog() (*dialog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.modal != nil {
		return nil, &Failure{Status: capiws.StatusWaitingForUser, Cause: CauseDialogBusy}
	}
	s.dlgSeq++
	s.modal = &dialog{id: s.dlgSeq, since: s.now(), answer: make(chan Step, 1)}
	return s.modal, nil
}

func (s *Store) closeDialog(d *dialog) {
	s.mu.Lock()
	if s.modal == d {
		s.modal = nil
		s.dialogChangedLocked()
	}
	s.mu.Unlock()
}

// dialogChangedLocked wakes WaitDialog callers.
func (s *Store) dialogChangedLocked() {
	if s.dlgChanged != nil {
		close(s.dlgChanged)
		s.dlgChanged = nil
	}
}

// WaitDialog waits until a dialog newer than after (an id; 0 for any) is
// on screen with its prompt, and returns it; or until ctx ends.
func (s *Store) WaitDialog(ctx context.Context, after int64) (OpenDialog, error) {
	for {
		s.mu.Lock()
		if d := s.modal; d != nil && d.id > after && d.prompt.Kind != "" {
			od := OpenDialog{ID: d.id, Since: d.since, Prompt: d.prompt}
			s.mu.Unlock()
			return od, nil
		}
		if s.dlgChanged == nil {
			s.dlgChanged = make(chan struct{})
		}
		ch := s.dlgChanged
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return OpenDialog{}, ctx.Err()
		}
	}
}

// OpenDialogs returns the dialog on screen, if any.
func (s *Store) OpenDialogs() []OpenDialog {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.modal == nil {
		return []OpenDialog{}
	}
	return []OpenDialog{{ID: s.modal.id, Since: s.modal.since, Prompt: s.modal.prompt}}
}

// ErrNoDialog is returned by [Store.AnswerDialog] when no such dialog is open.
var ErrNoDialog = errors.New("softtoken: no such dialog is open")

// AnswerDialog answers the open dialog id by hand (for prompts scripted as
// Wait). The answer is taken by the dialog's next waiting prompt.
func (s *Store) AnswerDialog(id int64, st Step) error {
	if !st.valid() || st == Wait {
		return fmt.Errorf("softtoken: cannot answer %q", st)
	}
	s.mu.Lock()
	d := s.modal
	s.mu.Unlock()
	if d == nil || d.id != id {
		return ErrNoDialog
	}
	select {
	case d.answer <- st:
		return nil
	default:
		return errors.New("softtoken: the dialog already has an answer pending")
	}
}

// ask shows p and returns the user's answer and the step it amounts to.
func (s *Store) ask(ctx context.Context, d *dialog, p Prompt, correct, wrongInput string) (Answer, Step, error) {
	s.mu.Lock()
	d.prompt = p
	s.dialogChangedLocked()
	st, scripted := s.scripts[p.Target]
	if !scripted {
		st, scripted = s.scripts[DefaultTarget]
	}
	var step Step
	var delay time.Duration
	var newPW string
	if scripted {
		step, delay, newPW = st.next(), time.Duration(st.Delay), st.NewPassword
	}
	s.mu.Unlock()
	if !scripted {
		a, err := s.user.Answer(ctx, p, correct)
		if err != nil {
			observe(ctx, DialogEvent{Prompt: p, Answer: Abandoned})
			return Answer{}, Abandoned, err
		}
		step = Wrong
		switch {
		case a.Cancel:
			step = Cancel
		case a.Input == correct && a.Remember:
			step = Remember
		case a.Input == correct:
			step = Right
		}
		observe(ctx, DialogEvent{Prompt: p, Answer: step})
		return a, step, nil
	}
	if err := s.sleep(ctx, delay); err != nil {
		observe(ctx, DialogEvent{Prompt: p, Answer: Abandoned})
		return Answer{}, Abandoned, err
	}
	if step == Wait {
		select {
		case step = <-d.answer:
		case <-ctx.Done():
			observe(ctx, DialogEvent{Prompt: p, Answer: Abandoned})
			return Answer{}, Abandoned, ctx.Err()
		}
	}
	observe(ctx, DialogEvent{Prompt: p, Answer: step})
	switch step {
	case Cancel:
		return Answer{Cancel: true}, step, nil
	case Wrong:
		return Answer{Input: wrongInput}, step, nil
	case Remember:
		return Answer{Input: correct, Remember: true}, step, nil
	case Mismatch:
		if p.Kind == AskConfirmPassword {
			return Answer{Input: correct + "\x00differs"}, step, nil
		}
	}
	if p.Kind == AskNewPassword && newPW != "" {
		return Answer{Input: newPW}, step, nil
	}
	return Answer{Input: correct}, step, nil
}

// wrongInput is what a scripted user types instead of secret: never equal.
func wrongInput(secret string) string { return secret + "\x00wrong" }

// passwordDialog asks for a key file's password, up to MaxAttempts times;
// each answer is checked by decrypting the file. It returns the key and
// whether "remember" was ticked.
func (s *Store) passwordDialog(ctx context.Context, d *dialog, e *entry) (*Key, bool, error) {
	data, err := os.ReadFile(e.fullPath)
	if err != nil {
		return nil, false, fail(capiws.StatusPFXFileMissing)
	}
	s.mu.Lock()
	correct, signing := e.password, e.signing
	s.mu.Unlock()
	shown := ""
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		p := Prompt{Kind: AskPassword, Target: e.name, Alias: e.alias, Attempt: attempt, AttemptsLeft: MaxAttempts - attempt + 1, Error: shown}
		ans, _, err := s.ask(ctx, d, p, correct, wrongInput(correct))
		if err != nil {
			return nil, false, err
		}
		if ans.Cancel {
			return nil, false, &Failure{Status: capiws.StatusPasswordCancelled, Cause: CauseCancelled}
		}
		signer, cert, chain, err := pfx.Decode(data, ans.Input)
		if errors.Is(err, pfx.ErrNotSigner) {
			return nil, false, fail(capiws.StatusIDNotForKey)
		}
		if err != nil {
			shown = ShowWrongPassword // "Пароль ключа неверный или файл ключа поврежден"
			continue
		}
		return &Key{Signer: signer, Cert: cert, Chain: chain, Signing: signing}, ans.Remember, nil
	}
	return nil, false, &Failure{Status: capiws.StatusPasswordCancelled, Cause: CauseWrongPassword}
}

// newPasswordDialog asks for a new password and its confirmation.
func (s *Store) newPasswordDialog(ctx context.Context, d *dialog, e *entry) (string, error) {
	s.mu.Lock()
	current := e.password
	s.mu.Unlock()
	ans, _, err := s.ask(ctx, d, Prompt{Kind: AskNewPassword, Target: e.name, Alias: e.alias, Attempt: 1}, current, wrongInput(current))
	if err != nil {
		return "", err
	}
	if ans.Cancel {
		return "", &Failure{Status: capiws.StatusPasswordCancelled, Cause: CauseCancelled}
	}
	newPW := ans.Input
	conf, _, err := s.ask(ctx, d, Prompt{Kind: AskConfirmPassword, Target: e.name, Alias: e.alias, Attempt: 1}, newPW, wrongInput(newPW))
	if err != nil {
		return "", err
	}
	if conf.Cancel {
		return "", &Failure{Status: capiws.StatusPasswordCancelled, Cause: CauseCancelled}
	}
	if conf.Input != newPW {
		return "", fail(capiws.StatusNewPasswordsMismatch)
	}
	return newPW, nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
