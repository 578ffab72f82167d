package softtoken

import (
	"fmt"
	"strings"
)

// Layout is how the keys folder appears on the wire: the "disks" of
// PROTOCOL.md §4.1.
type Layout string

// Layouts.
const (
	Windows Layout = "windows" // disk C:\, path DSKEYS
	Linux   Layout = "linux"   // disk /media/, path DSKEYS (keys in /media/DSKEYS)
	// MacOS lists disk /Volumes/ with path DSKEYS and disk /Volumes/DSKEYS/
	// with path "": the same key twice, as the real daemon does on macOS.
	MacOS Layout = "macos"
)

// ParseLayout returns the layout named s.
func ParseLayout(s string) (Layout, error) {
	switch l := Layout(s); l {
	case Windows, Linux, MacOS:
		return l, nil
	}
	return "", fmt.Errorf("softtoken: unknown layout %q (want windows, linux or macos)", s)
}

type location struct{ disk, path string }

func (l Layout) locations() []location {
	switch l {
	case Linux:
		return []location{{"/media/", DefaultPath}}
	case MacOS:
		return []location{{"/Volumes/", DefaultPath}, {"/Volumes/" + DefaultPath + "/", ""}}
	}
	return []location{{DefaultDisk, DefaultPath}}
}

// Disks returns the disks pfx.list_disks reports.
func (l Layout) Disks() []string {
	var out []string
	for _, loc := range l.locations() {
		if len(out) == 0 || out[len(out)-1] != loc.disk {
			out = append(out, loc.disk)
		}
	}
	return out
}

// filePath is the daemon's absolute path of a key file.
func (loc location) filePath(name string) string {
	sep := "/"
	if strings.HasSuffix(loc.disk, `\`) {
		sep = `\`
	}
	p := loc.disk
	if loc.path != "" {
		p += loc.path + sep
	}
	return p + name + ".pfx"
}

// Layout returns the current layout.
func (s *Store) Layout() Layout {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.layout
}

// SetLayout changes how the keys folder appears on the wire.
func (s *Store) SetLayout(l Layout) {
	s.mu.Lock()
	s.layout = l
	s.mu.Unlock()
}
