package security

import (
	"testing"

	"github.com/lkbrowser/lkbrowser"
	"github.com/lkbrowser/lkbrowser/internal/testing/testsupport"
)

// permissionProbe asks the page for each powerful feature, as a page
// would, and reports what it got.
const permissionProbe = `(async () => {
  const out = {secure: window.isSecureContext};
  for (const name of ['camera', 'microphone', 'geolocation', 'notifications']) {
    try { out['state_' + name] = (await navigator.permissions.query({name})).state; }
    catch (e) { out['state_' + name] = 'error ' + e.name; }
  }
  out.notification_permission = Notification.permission;
  out.notification_request = await Notification.requestPermission();
  for (const [name, c] of [['camera', {video: true}], ['microphone', {audio: true}]]) {
    try { (await navigator.mediaDevices.getUserMedia(c)).getTracks().forEach(t => t.stop()); out['use_' + name] = 'granted'; }
    catch (e) { out['use_' + name] = e.name; }
  }
  out.use_geolocation = await new Promise(r => navigator.geolocation.getCurrentPosition(
    () => r('granted'), e => r(e.code === 1 ? 'PERMISSION_DENIED' : 'error ' + e.code), {timeout: 10000}));
  return out;
})()`

// Camera, microphone, geolocation and notifications are denied to pages
// by default, without a prompt. Chromium is given a fake camera and
// microphone, so that getUserMedia finds devices and the refusal is the
// permission's.
func TestPermissionsDeniedByDefault(t *testing.T) {
	e, _ := ownEngine(t, lkbrowser.Options{NoAudio: true, ChromiumFlags: []string{"--use-fake-device-for-media-stream"}})
	p := testsupport.OpenPage(t, e, lkbrowser.PageOptions{URL: url("solid.html#ff0000"), Width: 320, Height: 240})
	mustColour(t, p, 10, 10, rgb{0xff, 0, 0})
	got := testsupport.EvalAs[map[string]any](t, p, permissionProbe)
	t.Logf("%v", got)
	if got["secure"] != true {
		t.Fatalf("the page is not a secure context, where these features do not exist at all: %v", got)
	}
	for k, want := range map[string]string{
		"state_camera": "denied", "state_microphone": "denied", "state_geolocation": "denied", "state_notifications": "denied",
		"notification_permission": "denied", "notification_request": "denied",
		"use_camera": "NotAllowedError", "use_microphone": "NotAllowedError", "use_geolocation": "PERMISSION_DENIED",
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %s", k, got[k], want)
		}
	}
}
