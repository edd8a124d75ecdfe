// Package testhook lets lkbrowser's end-to-end tests inject faults where no
// public API should reach: a renderer crash through the page's own DevTools
// connection. Being internal, it is not part of lkbrowser's API.
package testhook

import "context"

// CrashRenderer crashes the renderer of page, a *lkbrowser.Page, with the
// DevTools command Page.crash and returns once the crash was seen. Package
// lkbrowser sets it when it is initialised.
var CrashRenderer func(ctx context.Context, page any) error
