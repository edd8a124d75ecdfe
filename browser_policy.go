package lkbrowser

import (
	"fmt"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// deniedPermissions are the powerful features no page gets: there is no
// person in front of the page to ask, and none of them belongs to an
// off-screen page (the machine's camera, microphone or position, desktop
// notifications).
var deniedPermissions = []string{"camera", "microphone", "geolocation", "notifications"}

// lockDown applies the browser-wide policy of a page's Chromium: downloads
// are refused (Chromium would otherwise save them in $HOME/Downloads, outside
// the page's files) and the powerful features are denied for every origin.
// Pages see the refusals as a person's "deny": navigator.permissions reports
// "denied", getUserMedia rejects with NotAllowedError. A DevTools client may
// change both for its own use.
func (b *browser) lockDown() error {
	if _, err := chromedp.CallBrowser(b.bctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorDeny,
	}); err != nil {
		return fmt.Errorf("deny downloads: %w", err)
	}
	for _, name := range deniedPermissions {
		if _, err := chromedp.CallBrowser(b.bctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name},
			Setting:    cdpbrowser.PermissionSettingDenied,
		}); err != nil {
			return fmt.Errorf("deny %s: %w", name, err)
		}
	}
	return nil
}
