package main

import (
	"context"
	"log/slog"

	"github.com/lkbrowser/lkbrowser"
)

// openEngine starts an engine for screenshots and returns it with the
// function that closes it. A screenshot has no sound, so the engine starts
// no PulseAudio (screenshot works without it). The engine keeps all its
// files (Chromium's among them) in one private directory that Close removes.
func openEngine(ctx context.Context, log *slog.Logger, egress *lkbrowser.EgressPolicy) (*lkbrowser.Engine, func() error, error) {
	eng, err := lkbrowser.NewEngine(ctx, lkbrowser.Options{Logger: log, NoAudio: true, Egress: egress})
	if err != nil {
		return nil, nil, err
	}
	return eng, eng.Close, nil
}
