// A stand-in for livekit-client's UMD bundle (window.LivekitClient), served
// in its place by browser_test.go: no LiveKit server, the test plays the
// publisher through window.fakeLK. Implements only what app.js uses.
(function () {
  'use strict';

  const RoomEvent = {
    TrackSubscribed: 'trackSubscribed',
    TrackUnsubscribed: 'trackUnsubscribed',
    DataReceived: 'dataReceived',
    AudioPlaybackStatusChanged: 'audioPlaybackChanged',
    ParticipantConnected: 'participantConnected',
    ParticipantDisconnected: 'participantDisconnected',
    Reconnecting: 'reconnecting',
    SignalReconnecting: 'signalReconnecting',
    Reconnected: 'reconnected',
    Disconnected: 'disconnected',
  };
  const DisconnectReason = {};
  ['UNKNOWN_REASON', 'CLIENT_INITIATED', 'DUPLICATE_IDENTITY', 'SERVER_SHUTDOWN'].forEach((n, i) => {
    DisconnectReason[n] = i;
    DisconnectReason[i] = n;
  });

  const fake = {
    rooms: [],
    room: null,
    packets: [], // {events, opts}
    rpcs: [], // {destinationIdentity, method, payload}
    joins: [], // {url, token}
    startAudioCalls: 0,
    denyFocus: '', // holder named in a refusal, '' = grant
    publisher: null,
    frame: 0,
  };

  // Animation frame counter.
  (function tick() {
    fake.frame++;
    requestAnimationFrame(tick);
  })();

  fake.rpc = function (p) {
    switch (p.method) {
      case 'browser/request-focus':
        if (fake.denyFocus) return JSON.stringify({ granted: false, holder: fake.denyFocus });
        return JSON.stringify({ granted: true });
      case 'browser/release-focus':
        return JSON.stringify({ released: true });
      case 'browser/navigate': {
        const u = JSON.parse(p.payload).url;
        if (!/^https?:/.test(u)) throw new Error('refused scheme');
        return JSON.stringify({ status: 'ok' });
      }
      case 'browser/go-back':
      case 'browser/go-forward':
        return JSON.stringify({ status: 'ok' });
    }
    throw new Error('unknown method ' + p.method);
  };

  class Room {
    constructor(opts) {
      this.opts = opts;
      this.handlers = {};
      this.remoteParticipants = new Map();
      this.canPlaybackAudio = true;
      this.state = 'disconnected';
      const room = this;
      this.localParticipant = {
        identity: '',
        async publishData(data, o) {
          if (room.state !== 'connected') throw new Error('not connected');
          fake.packets.push({ events: JSON.parse(new TextDecoder().decode(data)), opts: o, frame: fake.frame });
        },
        async performRpc(p) {
          fake.rpcs.push(p);
          await new Promise((r) => setTimeout(r, 5));
          return fake.rpc(p);
        },
      };
      fake.rooms.push(this);
      fake.room = this;
    }
    on(ev, fn) {
      (this.handlers[ev] = this.handlers[ev] || []).push(fn);
      return this;
    }
    emit(ev, ...args) {
      for (const fn of this.handlers[ev] || []) fn(...args);
    }
    removeAllListeners() {
      this.handlers = {};
    }
    async connect(url, token) {
      fake.joins.push({ url, token });
      this.state = 'connected';
    }
    async disconnect() {
      this.state = 'disconnected';
    }
    async startAudio() {
      fake.startAudioCalls++;
      if (!this.canPlaybackAudio) {
        this.canPlaybackAudio = true;
        this.emit(RoomEvent.AudioPlaybackStatusChanged, true);
      }
    }
  }

  // The publisher joins.
  fake.addPublisher = function (identity) {
    const p = { identity, trackPublications: new Map() };
    fake.publisher = p;
    fake.room.remoteParticipants.set(identity, p);
    fake.room.emit(RoomEvent.ParticipantConnected, p);
    return p;
  };

  fake.removePublisher = function () {
    const p = fake.publisher;
    fake.room.remoteParticipants.delete(p.identity);
    fake.room.emit(RoomEvent.ParticipantDisconnected, p);
  };

  // A video track of w x h: a canvas that keeps drawing, captured.
  fake.publishVideo = function (w, h) {
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const g = canvas.getContext('2d');
    let n = 0;
    const draw = () => {
      g.fillStyle = n++ % 2 ? '#204080' : '#206040';
      g.fillRect(0, 0, canvas.width, canvas.height);
    };
    draw();
    const timer = setInterval(draw, 33);
    const mst = canvas.captureStream(30).getVideoTracks()[0];
    const track = {
      kind: 'video',
      mediaStreamTrack: mst,
      canvas,
      timer,
      attach(el) {
        el.srcObject = new MediaStream([mst]);
        el.play().catch(() => {});
        return el;
      },
      detach(el) {
        if (el) {
          el.srcObject = null;
          return [el];
        }
        return [];
      },
    };
    const pub = { trackName: 'browser-video', kind: 'video', track };
    fake.publisher.trackPublications.set('TR_video', pub);
    fake.videoTrack = track;
    fake.room.emit(RoomEvent.TrackSubscribed, track, pub, fake.publisher);
    return track;
  };

  fake.resizeVideo = function (w, h) {
    fake.videoTrack.canvas.width = w;
    fake.videoTrack.canvas.height = h;
  };

  fake.unpublishVideo = function () {
    const track = fake.videoTrack;
    clearInterval(track.timer);
    const pub = fake.publisher.trackPublications.get('TR_video');
    fake.publisher.trackPublications.delete('TR_video');
    fake.room.emit(RoomEvent.TrackUnsubscribed, track, pub, fake.publisher);
  };

  // An audio track; blocked: the browser refused to autoplay it.
  fake.publishAudio = function (blocked) {
    const els = [];
    const track = {
      kind: 'audio',
      attach(el) {
        el = el || document.createElement('audio');
        els.push(el);
        return el;
      },
      detach() {
        return els.splice(0);
      },
    };
    const pub = { trackName: 'browser-audio', kind: 'audio', track };
    fake.publisher.trackPublications.set('TR_audio', pub);
    fake.room.emit(RoomEvent.TrackSubscribed, track, pub, fake.publisher);
    if (blocked) {
      fake.room.canPlaybackAudio = false;
      fake.room.emit(RoomEvent.AudioPlaybackStatusChanged, false);
    }
    return track;
  };

  // A broadcast from the publisher.
  fake.broadcast = function (topic, obj) {
    const data = new TextEncoder().encode(JSON.stringify(obj));
    fake.room.emit(RoomEvent.DataReceived, data, fake.publisher, 0, topic);
  };

  // The same from someone else, which the viewer must ignore.
  fake.broadcastFrom = function (identity, topic, obj) {
    const data = new TextEncoder().encode(JSON.stringify(obj));
    fake.room.emit(RoomEvent.DataReceived, data, { identity }, 0, topic);
  };

  // The connection drops for good.
  fake.drop = function () {
    const room = fake.room;
    room.state = 'disconnected';
    room.emit(RoomEvent.Disconnected, DisconnectReason.SERVER_SHUTDOWN);
  };

  // All events sent so far, flattened.
  fake.events = function () {
    return fake.packets.flatMap((p) => p.events);
  };

  window.fakeLK = fake;
  window.LivekitClient = {
    Room,
    RoomEvent,
    DisconnectReason,
    setLogLevel() {},
    version: 'fake',
  };
})();
