// Package egress is the network boundary of lkbrowser's pages: a filtering
// forward proxy on loopback that a page's Chromium must use for every
// connection, and the rules it applies.
//
// Rules (rules.go) are compiled from allow and deny entries (names,
// *.name patterns, addresses, CIDR ranges, with an optional port) and the
// BlockPrivate and DenyOthers switches. The Proxy (proxy.go) serves plain
// HTTP requests (and WebSocket upgrades sent as such) and CONNECT tunnels
// (https, wss, WebSocket through a proxy, TURN over TCP). It resolves the
// host itself, decides on each resolved address and dials exactly the
// address it allowed, so a name that resolves to a forbidden address is
// refused however it is spelt or re-resolved (DNS rebinding). Every request
// is decided on its own: each hop of a redirect, each subresource.
//
// A refused request fails like a network error in the page: a CONNECT gets
// a 403 (Chromium: net::ERR_TUNNEL_CONNECTION_FAILED), a plain request a
// response Chromium rejects before the page sees it
// (net::ERR_RESPONSE_HEADERS_MULTIPLE_CONTENT_LENGTH; see netError).
package egress
