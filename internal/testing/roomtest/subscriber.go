// Package roomtest is test support for the LiveKit session: a participant
// that joins a room with server-sdk-go, decodes the page's video (libvpx)
// and audio (Opus, through the SDK) as a real subscriber does, collects
// data messages, and drives the page with the room protocol. The tests and
// benchmarks of lksession and of the CLI use it; it is not part of the
// product.
package roomtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	media "github.com/livekit/media-sdk"
	"github.com/livekit/protocol/auth"
	protoLogger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	lkmedia "github.com/livekit/server-sdk-go/v2/pkg/media"
	"github.com/pion/rtp/codecs"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media/samplebuilder"

	"github.com/lkbrowser/lkbrowser/internal/vpx"
	"github.com/lkbrowser/lkbrowser/internal/yuv"
)

// Data is a data message received.
type Data struct {
	Topic   string
	Payload []byte
	From    string
	At      time.Time
}

// Subscriber is a room participant that watches a published page. Like a
// real viewer it joins again when the server drops it (e.g. on a restart).
type Subscriber struct {
	url, token string
	room       *lksdk.Room // guarded by mu
	closed     bool        // guarded by mu

	// OnFrame, when set, is called on the video goroutine with each decoded
	// picture (valid during the call only), the time it was decoded, and
	// how long the jitter buffer held the frame after its last packet had
	// arrived (pion's samplebuilder releases a frame only once a packet of
	// the next one is in: about a frame interval on a steady stream, which
	// a browser's jitter buffer does not add). Set it with JoinWith:
	// setting it after Join races with the video goroutine.
	OnFrame func(img *yuv.I420, at time.Time, held time.Duration)
	// OnAudio, when set, is called with each decoded chunk of sound (the
	// left channel at 48 kHz, valid during the call only) and the time it
	// was decoded. Set it with JoinHooks.
	OnAudio func(left []int16, at time.Time)

	mu          sync.Mutex
	cond        chan struct{} // closed and replaced on every change
	img         *yuv.I420     // the latest decoded picture (a copy)
	frames      int
	plis        int           // keyframes asked for after a loss
	packetGap   time.Duration // the longest time between two video packets
	packetEnd   time.Time     // when it ended
	videoTracks int           // video tracks subscribed so far
	audio       []int16
	audioTracks int
	data        []Data
	left        []string // identities that left
	wg          sync.WaitGroup
	closers     []func()
}

// Token mints a token for identity in room, allowed to subscribe and
// publish data.
func Token(key, secret, room, identity string) (string, error) {
	yes, no := true, false
	return auth.NewAccessToken(key, secret).SetIdentity(identity).SetValidFor(time.Hour).
		SetVideoGrant(&auth.VideoGrant{RoomJoin: true, Room: room, CanSubscribe: &yes, CanPublish: &no, CanPublishData: &yes}).
		ToJWT()
}

// Join connects a subscriber to room as identity.
func Join(ctx context.Context, url, key, secret, room, identity string) (*Subscriber, error) {
	return JoinWith(ctx, url, key, secret, room, identity, nil)
}

// JoinWith is Join with onFrame (may be nil) as the subscriber's OnFrame
// from the start.
func JoinWith(ctx context.Context, url, key, secret, room, identity string, onFrame func(img *yuv.I420, at time.Time, held time.Duration)) (*Subscriber, error) {
	return JoinHooks(ctx, url, key, secret, room, identity, Hooks{OnFrame: onFrame})
}

// Hooks are the callbacks a subscriber calls from the start; see
// Subscriber.OnFrame and Subscriber.OnAudio.
type Hooks struct {
	OnFrame func(img *yuv.I420, at time.Time, held time.Duration)
	OnAudio func(left []int16, at time.Time)
}

// JoinHooks is Join with callbacks set from the start.
func JoinHooks(ctx context.Context, url, key, secret, room, identity string, h Hooks) (*Subscriber, error) {
	tok, err := Token(key, secret, room, identity)
	if err != nil {
		return nil, err
	}
	s := &Subscriber{cond: make(chan struct{}), url: url, token: tok, OnFrame: h.OnFrame, OnAudio: h.OnAudio}
	r, err := s.join(ctx)
	if err != nil {
		return nil, err
	}
	s.room = r
	return s, nil
}

// join makes a connection to the room.
func (s *Subscriber) join(ctx context.Context) (*lksdk.Room, error) {
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = s.onTrack
	cb.OnDataPacket = func(d lksdk.DataPacket, p lksdk.DataReceiveParams) {
		if u, ok := d.(*lksdk.UserDataPacket); ok {
			s.update(func() {
				s.data = append(s.data, Data{Topic: u.Topic, Payload: slices.Clone(u.Payload), From: p.SenderIdentity, At: time.Now()})
			})
		}
	}
	cb.OnParticipantDisconnected = func(p *lksdk.RemoteParticipant) {
		s.update(func() { s.left = append(s.left, p.Identity()) })
	}
	cb.OnDisconnected = func() { go s.rejoin() }
	r := lksdk.NewRoom(cb)
	r.SetLogger(protoLogger.GetDiscardLogger())
	if err := r.JoinWithContextAndToken(ctx, s.url, s.token); err != nil {
		return nil, fmt.Errorf("subscriber join: %w", err)
	}
	return r, nil
}

// rejoin joins again after the SDK gave up on a connection, until Close.
func (s *Subscriber) rejoin() {
	for {
		s.mu.Lock()
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		r, err := s.join(ctx)
		cancel()
		if err == nil {
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				r.Disconnect()
				return
			}
			s.room = r
			s.mu.Unlock()
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Room returns the current connection.
func (s *Subscriber) Room() *lksdk.Room {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.room
}

// update changes the state under the lock and wakes the waiters.
func (s *Subscriber) update(f func()) {
	s.mu.Lock()
	f()
	close(s.cond)
	s.cond = make(chan struct{})
	s.mu.Unlock()
}

// Wait waits until cond (called under the lock) holds, or ctx ends.
func (s *Subscriber) Wait(ctx context.Context, what string, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.cond
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-ch:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *Subscriber) onTrack(track *webrtc.TrackRemote, pub *lksdk.RemoteTrackPublication, rp *lksdk.RemoteParticipant) {
	switch track.Kind() {
	case webrtc.RTPCodecTypeVideo:
		s.update(func() { s.videoTracks++ })
		s.wg.Add(1)
		go s.readVideo(track, func() { rp.WritePLI(track.SSRC()) })
	case webrtc.RTPCodecTypeAudio:
		t, err := lkmedia.NewPCMRemoteTrack(track, &pcmSink{s: s}, lkmedia.WithTargetChannels(2), lkmedia.WithTargetSampleRate(48000))
		if err != nil {
			return
		}
		s.mu.Lock()
		s.audioTracks++
		s.closers = append(s.closers, t.Close)
		s.mu.Unlock()
	}
}

// pliGap is the shortest time between two picture loss indications the
// subscriber sends for one track; maxFrameWait is how long an incomplete
// frame may wait for its missing packets (NACK retransmissions).
const (
	pliGap       = 250 * time.Millisecond
	maxFrameWait = 200 * time.Millisecond
)

// readVideo depacketizes and decodes a VP8 track until it ends. Like a
// browser, it asks the publisher for a keyframe (pli) when a frame is lost
// or does not decode, and decodes nothing until the keyframe comes.
func (s *Subscriber) readVideo(track *webrtc.TrackRemote, pli func()) {
	defer s.wg.Done()
	dec, err := vpx.NewDecoder()
	if err != nil {
		return
	}
	defer dec.Close()
	// A frame whose packets are not all in after maxFrameWait is dropped
	// (then a keyframe is asked for), as a browser's jitter buffer does;
	// without the limit the builder waited for 256 later packets, several
	// seconds of video, after a packet lost on a busy machine (a 2.7 s and
	// an 8 s stall in 30-minute soaks, with the publisher sending steadily).
	sb := samplebuilder.New(256, &codecs.VP8Packet{}, 90000, samplebuilder.WithMaxTimeDelay(maxFrameWait))
	haveKey := false
	var lastPLI time.Time
	needKey := func() {
		haveKey = false
		if time.Since(lastPLI) >= pliGap {
			lastPLI = time.Now()
			pli()
			s.update(func() { s.plis++ })
		}
	}
	complete := map[uint32]time.Time{} // RTP timestamp -> its last packet's arrival
	var lastPacket time.Time
	var longest time.Duration // this track's longest gap between packets
	for {
		pkt, _, err := track.ReadRTP()
		if err != nil {
			return
		}
		now := time.Now()
		if gap := now.Sub(lastPacket); !lastPacket.IsZero() && gap > longest {
			longest = gap
			s.mu.Lock()
			if gap > s.packetGap {
				s.packetGap, s.packetEnd = gap, now
			}
			s.mu.Unlock()
		}
		lastPacket = now
		if pkt.Marker {
			if len(complete) > 64 { // frames the samplebuilder dropped
				clear(complete)
			}
			complete[pkt.Timestamp] = time.Now()
		}
		sb.Push(pkt)
		for smp := sb.Pop(); smp != nil; smp = sb.Pop() {
			var held time.Duration
			if at, ok := complete[smp.PacketTimestamp]; ok {
				held = time.Since(at)
				delete(complete, smp.PacketTimestamp)
			}
			if len(smp.Data) == 0 {
				continue
			}
			key := smp.Data[0]&1 == 0
			if smp.PrevDroppedPackets > 0 && !key { // a frame it builds on is gone
				needKey()
			}
			if !haveKey && !key {
				continue
			}
			img, err := dec.Decode(smp.Data)
			if err != nil {
				needKey()
				continue
			}
			haveKey = true
			now := time.Now()
			if s.OnFrame != nil {
				s.OnFrame(img, now, held)
			}
			cp := yuv.NewI420(img.Width, img.Height)
			copyPlanes(cp, img)
			s.update(func() { s.img, s.frames = cp, s.frames+1 })
		}
	}
}

func copyPlanes(dst, src *yuv.I420) {
	for y := 0; y < src.Height; y++ {
		copy(dst.Y[y*dst.StrideY:y*dst.StrideY+src.Width], src.Y[y*src.StrideY:])
	}
	cw, ch := src.ChromaSize()
	for y := 0; y < ch; y++ {
		copy(dst.U[y*dst.StrideUV:y*dst.StrideUV+cw], src.U[y*src.StrideUV:])
		copy(dst.V[y*dst.StrideUV:y*dst.StrideUV+cw], src.V[y*src.StrideUV:])
	}
}

// pcmSink collects the left channel of the decoded stereo sound. (The
// SDK's own stereo-to-mono downmix overflows int16 near full scale, which
// would add clicks that are not in the stream.)
type pcmSink struct{ s *Subscriber }

func (p *pcmSink) WriteSample(smp media.PCM16Sample) error {
	at := time.Now()
	var left []int16
	p.s.update(func() {
		if len(p.s.audio) > 2*audioKept {
			// Keep the newest audioKept samples, in place: an unbounded
			// buffer grew by 170 MB in a 30-minute soak, and copying and
			// collecting it stalled the whole test process for seconds.
			p.s.audio = p.s.audio[:copy(p.s.audio, p.s.audio[len(p.s.audio)-audioKept:])]
		}
		n := len(p.s.audio)
		for i := 0; i+1 < len(smp); i += 2 {
			p.s.audio = append(p.s.audio, smp[i])
		}
		left = p.s.audio[n:len(p.s.audio):len(p.s.audio)]
	})
	if p.s.OnAudio != nil {
		p.s.OnAudio(left, at)
	}
	return nil
}
func (p *pcmSink) Close() error { return nil }

// Frames returns the number of video frames decoded so far.
func (s *Subscriber) Frames() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames
}

// PacketGap returns the longest time between two packets of a video track
// read by the subscriber, and when it ended: tells a stall upstream (no
// packets came) from one in decoding.
func (s *Subscriber) PacketGap() (time.Duration, time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.packetGap, s.packetEnd
}

// PLIs returns how many times the subscriber asked for a keyframe because
// a frame was lost or did not decode.
func (s *Subscriber) PLIs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.plis
}

// FramesLocked is Frames for use inside a Wait condition (which runs under
// the subscriber's lock).
func (s *Subscriber) FramesLocked() int { return s.frames }

// PictureLocked is Picture for use inside a Wait condition (which runs
// under the subscriber's lock).
func (s *Subscriber) PictureLocked() *yuv.I420 { return s.img }

// Picture returns the latest decoded picture (nil before the first).
func (s *Subscriber) Picture() *yuv.I420 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.img
}

// RGB returns the colour of pixel (x, y) of img (BT.601 limited range).
func RGB(img *yuv.I420, x, y int) (r, g, b int) {
	yy := float64(img.Y[y*img.StrideY+x]) - 16
	u := float64(img.U[(y/2)*img.StrideUV+x/2]) - 128
	v := float64(img.V[(y/2)*img.StrideUV+x/2]) - 128
	clamp := func(f float64) int { return int(min(max(f+0.5, 0), 255)) }
	return clamp(1.164*yy + 1.596*v), clamp(1.164*yy - 0.392*u - 0.813*v), clamp(1.164*yy + 2.017*u)
}

// Near reports whether two colours are within tol on every channel.
func Near(r, g, b, wr, wg, wb, tol int) bool {
	d := func(a, b int) bool { return a-b <= tol && b-a <= tol }
	return d(r, wr) && d(g, wg) && d(b, wb)
}

// WaitColour waits until a frame decoded after now has colour (r,g,b)
// within tol at (x, y).
func (s *Subscriber) WaitColour(ctx context.Context, x, y, r, g, b, tol int) error {
	var last string
	since := s.Frames()
	err := s.Wait(ctx, fmt.Sprintf("colour %d,%d,%d at (%d,%d)", r, g, b, x, y), func() bool {
		if s.frames == since || s.img == nil || x >= s.img.Width || y >= s.img.Height {
			return false
		}
		gr, gg, gb := RGB(s.img, x, y)
		last = fmt.Sprintf("%d,%d,%d in a %dx%d frame", gr, gg, gb, s.img.Width, s.img.Height)
		return Near(gr, gg, gb, r, g, b, tol)
	})
	if err != nil {
		return fmt.Errorf("%w (last seen %s)", err, last)
	}
	return nil
}

// audioKept is how much decoded sound (left channel samples) a subscriber
// keeps at least: 10 s. It keeps at most twice that.
const audioKept = 10 * 48000

// Audio returns the left channel of the 48 kHz sound decoded so far: all
// of it in the first 10 s, later the last 10 to 20 seconds.
func (s *Subscriber) Audio() []int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.audio)
}

// Messages returns the data messages received on topic.
func (s *Subscriber) Messages(topic string) []Data {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.MessagesLocked(topic)
}

// MessagesLocked is Messages for use inside a Wait condition (which runs
// under the subscriber's lock).
func (s *Subscriber) MessagesLocked(topic string) []Data {
	var out []Data
	for _, d := range s.data {
		if d.Topic == topic {
			out = append(out, d)
		}
	}
	return out
}

// LeftLocked reports whether identity has left the room; for use inside a
// Wait condition (which runs under the subscriber's lock).
func (s *Subscriber) LeftLocked(identity string) bool {
	return slices.Contains(s.left, identity)
}

// RPC calls method on the participant to.
func (s *Subscriber) RPC(to, method string, payload any) (string, error) {
	var p string
	switch v := payload.(type) {
	case string:
		p = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		p = string(b)
	}
	res, err := s.Room().LocalParticipant.PerformRpc(lksdk.PerformRpcParams{DestinationIdentity: to, Method: method, Payload: p})
	if err != nil {
		return "", err
	}
	if res == nil {
		return "", errors.New("empty RPC response")
	}
	return *res, nil
}

// Send publishes a reliable data message on topic to the participant to.
func (s *Subscriber) Send(to, topic string, payload []byte) error {
	return s.Room().LocalParticipant.PublishDataPacket(lksdk.UserData(payload),
		lksdk.WithDataPublishTopic(topic), lksdk.WithDataPublishReliable(true), lksdk.WithDataPublishDestination([]string{to}))
}

// Close leaves the room and waits for the decoders to stop.
func (s *Subscriber) Close() {
	s.mu.Lock()
	s.closed = true
	r := s.room
	closers := s.closers
	s.closers = nil
	s.mu.Unlock()
	r.Disconnect()
	for _, c := range closers {
		c()
	}
	s.wg.Wait()
}
