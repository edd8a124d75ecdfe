// Package vpx encodes and decodes VP8 through Debian's libvpx (cgo,
// pkg-config vpx), tuned for live screen video: realtime deadline, CBR, no
// lag, error resilient, never dropping a frame, one compressed frame out for
// every picture in.
//
//	enc, err := vpx.NewEncoder(vpx.EncoderConfig{Width: 1280, Height: 720, BitrateKbps: 2500, FrameRate: 30})
//	defer enc.Close()
//	img := yuv.NewI420(1280, 720)
//	var buf []byte
//	for f := range frames {
//		err = yuv.FromBGRA(img, f.Pix, f.Stride, f.Width, f.Height, f.Dirty)
//		buf, key, err = enc.Encode(img, f.PTS, 33*time.Millisecond, pliPending, buf)
//		// send buf (valid until the next Encode with the same buffer)
//	}
//
// The C side lives in bridge.c; bridge.h documents who owns every pointer.
// In short: Go memory crosses into C only for the duration of a call (the
// I420 planes are wrapped in a vpx_image_t that libvpx copies from; the
// compressed frame is copied into the caller's Go slice before Encode
// returns; the decoder copies its input into C memory and its output into
// Go memory), and no C pointer is ever handed to Go.
//
// An Encoder or Decoder must not be used from two goroutines at once;
// different ones are independent. On platforms without Linux and cgo, the
// constructors return an error wrapping errors.ErrUnsupported.
package vpx
