package lkserver

import (
	"os"
	"testing"

	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"

	"github.com/lkbrowser/lkbrowser/internal/testing/netns"
)

// TestMain runs the tests inside a private network namespace (design.md
// §4.7): the clients' WebRTC traffic stays on its lo and lkt0. The SDK's
// logs are discarded unless LKBROWSER_TEST_DEBUG is set.
func TestMain(m *testing.M) {
	netns.Main(func() int {
		if os.Getenv("LKBROWSER_TEST_DEBUG") == "" {
			lksdk.SetLogger(protologger.GetDiscardLogger()) // the SDK's and pion's logs
		}
		return m.Run()
	})
}
