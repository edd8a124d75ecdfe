package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/lksession"
)

// newFlagSet returns a flag set that prints nothing itself: parse errors
// become usage errors reported by run.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterspersed parses args with fs like fs.Parse, but flags may also
// follow positional arguments: "URL OUT --width 320" works. It accepts
// "-flag" and "--flag", "--flag value" and "--flag=value"; a bool flag takes
// a value only after "=". "--" ends the flags and a lone "-" is positional.
// It returns the positional arguments, in order. An undefined -h or --help
// returns flag.ErrHelp.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		switch {
		case f == nil && (name == "h" || name == "help"):
			return nil, flag.ErrHelp
		case f == nil:
			return nil, fmt.Errorf("unknown flag %s", a)
		}
		if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() && !hasValue {
			value, hasValue = "true", true
		}
		if !hasValue {
			if i+1 == len(args) {
				return nil, fmt.Errorf("flag --%s needs a value", name)
			}
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, fmt.Errorf("invalid value %q for flag --%s: %v", value, name, err)
		}
	}
	return pos, nil
}

// printFlags lists the flags of fs, with their defaults, GNU style.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		arg, help := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if arg != "" {
			left += " " + arg
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			help += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "  %-18s %s\n", left, help)
	})
}

// commandHelp prints a command's synopsis, description and flags.
func commandHelp(w io.Writer, fs *flag.FlagSet, synopsis, description string) {
	fmt.Fprintf(w, "Usage: lkbrowser %s %s\n\n%s\n\nFlags:\n\n", fs.Name(), synopsis, description)
	printFlags(w, fs)
}

// parseCommand parses the flags of subcommand name and checks that it got
// want positional arguments. -h prints the command's help and returns
// flag.ErrHelp; other mistakes are usage errors naming the help command.
func parseCommand(flags *flag.FlagSet, args []string, name, synopsis, help string, want int, stdout io.Writer) ([]string, error) {
	pos, err := parseInterspersed(flags, args)
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(stdout, flags, synopsis, help)
		return nil, err
	}
	if err != nil {
		return nil, usageErrorf("%s: %v (run 'lkbrowser help %s')", name, err, name)
	}
	if len(pos) != want {
		return nil, usageErrorf("%s: want %d arguments, got %d; usage: lkbrowser %s %s (run 'lkbrowser help %s')",
			name, want, len(pos), name, synopsis, name)
	}
	return pos, nil
}

// checkPage refuses a --width, --height, --fps or --video-bitrate the
// library would refuse; 0, which the library reads as "default", is refused
// too, except for the bitrate (0: the default by size).
func checkPage(cmd string, width, height, fps, videoKbps int) error {
	if err := checkPageSize(width, height); err != nil {
		return err
	}
	if fps < lkbrowser.MinFrameRate || fps > lkbrowser.MaxFrameRate {
		return &lkbrowser.InvalidArgumentError{Arg: "--fps", Value: strconv.Itoa(fps),
			Reason: fmt.Sprintf("must be %d..%d", lkbrowser.MinFrameRate, lkbrowser.MaxFrameRate), Err: lkbrowser.ErrInvalidFrameRate}
	}
	if videoKbps != 0 && (videoKbps < lkbrowser.MinVideoBitrate || videoKbps > lkbrowser.MaxVideoBitrate) {
		return usageErrorf("%s: --video-bitrate must be 100..50000 kbit/s", cmd)
	}
	return nil
}

// checkPageSize refuses a --width or --height the library would refuse; 0,
// which the library reads as "default", is refused too.
func checkPageSize(width, height int) error {
	for _, d := range []struct {
		name string
		v    int
	}{{"--width", width}, {"--height", height}} {
		if d.v < lkbrowser.MinPageSize || d.v > lkbrowser.MaxPageSize {
			return &lkbrowser.InvalidArgumentError{Arg: d.name, Value: strconv.Itoa(d.v),
				Reason: fmt.Sprintf("must be %d..%d", lkbrowser.MinPageSize, lkbrowser.MaxPageSize), Err: lkbrowser.ErrInvalidSize}
		}
	}
	return nil
}

// parseAudioDelay reads --audio-delay into lksession.Options.AudioDelay:
// "auto" is 0 (the session's default), "0" is -1 (none), else a duration
// up to lksession.MaxAudioDelay.
func parseAudioDelay(v string) (time.Duration, error) {
	if v == "auto" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	switch {
	case v == "0" || err == nil && d == 0:
		return -1, nil
	case err != nil || d < 0 || d > lksession.MaxAudioDelay:
		return 0, fmt.Errorf("want auto, 0 or a duration up to %v", lksession.MaxAudioDelay)
	}
	return d, nil
}
