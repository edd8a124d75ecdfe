// Command lkbrowser renders web pages off-screen with lkbrowser.
//
// Usage:
//
//	lkbrowser screenshot [--width 1280] [--height 720] [--wait 500ms] [--timeout 30s] [--verbose] URL OUT.png
//	lkbrowser record [--width 1280] [--height 720] [--fps 30] [--duration 10s] [--video-bitrate N] [--audio-bitrate 96] [--no-audio] [--timeout 30s] [--verbose] URL OUT.webm
//	lkbrowser publish [--width 1280] [--height 720] [--fps 30] [--room lkbrowser] [--identity lkbrowser] [--livekit-url URL --api-key K --api-secret S] [--viewer-addr 127.0.0.1:8080] [--video-bitrate N] [--no-audio] [--audio-delay auto] [--verbose] URL
//	lkbrowser agent [--model M] [--task TEXT] [publish's flags] URL
//	lkbrowser worker --livekit-url URL --api-key K [--capacity N] [--agent-name lkbrowser] [--name NAME] [--drain-timeout 10m] [--metrics-addr ADDR] [--verbose]
//	lkbrowser dispatch --livekit-url URL --api-key K --room R [--width 1280] [--height 720] [--fps 30] [--timeout 30s] [--detach | --stop] [--verbose] URL
//	lkbrowser doctor [--json] [--verbose]
//	lkbrowser help [COMMAND]
//
// Errors are one line on stderr starting with "lkbrowser: ". The exit status
// is 0 on success, 1 when something failed at run time and 2 for a mistake in
// the command line. Ctrl-C (SIGINT) or SIGTERM during a recording ends it
// cleanly with a valid file and exit status 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/lksession"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// command is a subcommand of lkbrowser.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = []command{
	{"screenshot", "render a URL and save it as a PNG image", runScreenshot},
	{"record", "record a URL's picture and sound to a WebM video", runRecord},
	{"publish", "publish a URL into a LiveKit room, with a local viewer", runPublish},
	{"agent", "publish a URL and let an AI agent drive it while people watch and chat", runAgent},
	{"worker", "serve pages dispatched through a LiveKit server (scale-out)", runWorker},
	{"dispatch", "have a worker publish a URL into a LiveKit room, and keep it there", runDispatch},
	{"doctor", "check that everything lkbrowser needs is installed", runDoctor},
}

// run runs the command line args and returns the exit status. Commands close
// everything they start before they return.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		if len(rest) == 0 {
			usage(stdout)
			return 0
		}
		name, rest = rest[0], []string{"--help"}
	}
	i := indexCommand(name)
	if i < 0 {
		return report(stderr, usageErrorf("unknown command %q (run 'lkbrowser help')", name))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return report(stderr, commands[i].run(ctx, rest, stdout, stderr))
}

func indexCommand(name string) int {
	for i, c := range commands {
		if c.name == name {
			return i
		}
	}
	return -1
}

func usage(w io.Writer) {
	fmt.Fprint(w, "lkbrowser renders web pages off-screen with Chromium.\n\nUsage:\n\n  lkbrowser COMMAND [flags] [args]\n\nCommands:\n\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, "  help        show this text, or 'help COMMAND' for a command's flags\n\n"+
		"Flags may come before or after the arguments; '--' ends the flags.\n")
}

// usageError is a mistake in the command line: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// report prints err as one line on stderr and returns the exit status:
// 0 for no error or a help request, 2 for usage errors and arguments the
// library refused, 1 otherwise.
func report(stderr io.Writer, err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	fmt.Fprintln(stderr, "lkbrowser: "+strings.ReplaceAll(msg, "lkbrowser: ", ""))
	var ue *usageError
	var ia *lkbrowser.InvalidArgumentError
	if errors.As(err, &ue) || errors.As(err, &ia) {
		return 2
	}
	return 1
}

// newLogger logs at debug level to stderr when verbose, else discards.
// With verbose, the LiveKit SDK's process-wide logs (its WebRTC stack's) go
// there too; without it the CLI prints only its own lines.
func newLogger(verbose bool, stderr io.Writer) *slog.Logger {
	if !verbose {
		return slog.New(slog.DiscardHandler) // lksession discards the SDK's logs by default
	}
	l := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	lksession.SetSDKLogger(l)
	return l
}
