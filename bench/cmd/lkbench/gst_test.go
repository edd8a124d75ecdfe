package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The baseline's Chromium gets lkbrowser's flags with its own directories,
// without the DevTools pipe and the page's egress proxy, and the page
// instead of about:blank.
func TestGstChromiumArgs(t *testing.T) {
	lkb := []string{"/usr/lib/chromium/chromium", "--remote-debugging-pipe", "--user-data-dir=/x/page-1/profile",
		"--disk-cache-dir=/x/page-1/cache", "--window-size=1280,720", "--kiosk", "--no-sandbox",
		"--proxy-server=http://127.0.0.1:40001", "--proxy-bypass-list=<-loopback>", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "about:blank"}
	got := gstChromiumArgs(lkb, "/b", "http://127.0.0.1:1/p.html")
	want := []string{"/usr/lib/chromium/chromium", "--user-data-dir=/b/profile", "--disk-cache-dir=/b/cache",
		"--window-size=1280,720", "--kiosk", "--no-sandbox", "http://127.0.0.1:1/p.html"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// Encoded frames are counted from fakesink's -v lines, with their bytes;
// other lines (caps, the audio sink, a torn last line) are not.
func TestGstFrames(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gst.out")
	text := `Setting pipeline to PLAYING ...
/GstPipeline:pipeline0/GstVP8Enc:vp8enc0.GstPad:src: caps = video/x-vp8, width=(int)1280
/GstPipeline:pipeline0/GstFakeSink:vout: last-message = chain   ******* (vout:sink) (837 bytes, dts: 0:00:02.887313967, pts: 0:00:02.887313967, flags: 00002200 marker delta-unit )
/GstPipeline:pipeline0/GstFakeSink:aout: last-message = chain   ******* (aout:sink) (160 bytes, dts: none)
/GstPipeline:pipeline0/GstFakeSink:vout: last-message = chain   ******* (vout:sink) (12000 bytes, dts: 0:00:02.920647301, pts: 0:00:02.920647301)
/GstPipeline:pipeline0/GstFakeSink:vout: last-message = chain   ******* (vout:sink) (9`
	if err := os.WriteFile(out, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if n, size := gstFrames(out); n != 2 || size != 12837 {
		t.Errorf("%d frames, %d bytes; want 2, 12837", n, size)
	}
	if n, size := gstFrames(filepath.Join(t.TempDir(), "none")); n != 0 || size != 0 {
		t.Errorf("a missing file: %d frames, %d bytes", n, size)
	}
}
