// lkbrowser viewer: watches a page that lkbrowser publishes into a LiveKit
// room and, with focus, drives it. Speaks the reference browser plugin's
// remote-control protocol (see internal/viewer/doc.go):
//
//   tracks     "browser-video" (screen share), "browser-audio" (may come later)
//   data out   topic "browser-input": JSON array of
//              {type, x, y, button, deltaX, deltaY, keyCode, charCode, modifiers}
//   RPCs       browser/request-focus, browser/release-focus, browser/navigate,
//              browser/go-back, browser/go-forward
//   data in    topics "browser-focus", "browser-url", "cursor_changed"
//   agent      "browser-agent-chat" (out {text}; in {text, sender}),
//              "browser-agent-status" {status}, "browser-agent-cursor"
//              {x, y, action, visible, width, height}
//
// Plain script over the UMD global LivekitClient; no bundler, no framework.
// Test hooks: element ids and <body data-*> attributes (doc.go), and
// window.lkViewer (toClient/toPage coordinate helpers, state snapshot).
(function () {
  'use strict';

  const TOPIC_INPUT = 'browser-input';
  const TOPIC_FOCUS = 'browser-focus';
  const TOPIC_URL = 'browser-url';
  const TOPIC_CURSOR = 'cursor_changed';
  const TOPIC_AGENT_CHAT = 'browser-agent-chat';
  const TOPIC_AGENT_STATUS = 'browser-agent-status';
  const TOPIC_AGENT_CURSOR = 'browser-agent-cursor';
  const AGENT_STATUSES = ['thinking', 'acting', 'idle'];
  const MAX_CHAT = 200; // messages kept in the chat log
  const MAX_CHAT_TEXT = 4000; // characters of one message sent
  const AGENT = '__agent__';
  const MAX_BATCH = 100; // events per data packet
  const MAX_QUEUE = 2000; // events waiting to be sent (input beyond is dropped)
  const MAX_PENDING = 200; // events buffered while a focus request is in flight
  const FLUSH_FALLBACK_MS = 50; // flush even when animation frames stop (hidden tab)
  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 30000;

  // CEF event flags.
  const MOD_SHIFT = 1 << 1;
  const MOD_CTRL = 1 << 2;
  const MOD_ALT = 1 << 3;
  const MOD_LEFT = 1 << 4;
  const MOD_MIDDLE = 1 << 5;
  const MOD_RIGHT = 1 << 6;
  const MOD_META = 1 << 7;

  // Mouse buttons: DOM MouseEvent.button (0 left, 1 middle, 2 right, as CEF)
  // to the DOM MouseEvent.buttons bit and to the CEF modifier bit.
  const BUTTON_BIT = { 0: 1, 1: 4, 2: 2 };
  const BUTTON_MOD = { 0: MOD_LEFT, 1: MOD_MIDDLE, 2: MOD_RIGHT };

  const $ = (id) => document.getElementById(id);
  const body = document.body;
  const video = $('video');
  const stage = $('stage');
  const focusBtn = $('focus');
  const urlField = $('url');
  const backBtn = $('back');
  const forwardBtn = $('forward');
  const soundBtn = $('sound');
  const statusEl = $('status');
  const messageEl = $('message');
  const whoEl = $('who');
  const overlayText = $('overlay-text');
  const hintEl = $('hint');
  const agentPanel = $('agent');
  const agentStatusEl = $('agent-status');
  const agentCursorEl = $('agent-cursor');
  const chatLog = $('chat-log');
  const chatForm = $('chat-form');
  const chatInput = $('chat-input');
  const chatSend = $('chat-send');

  const LK = window.LivekitClient;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  const st = {
    room: null, // current Room, null between attempts
    conn: 'connecting', // connecting|connected|reconnecting|disconnected
    identity: '',
    publisher: 'lkbrowser',
    roomName: '',
    publisherPresent: false,
    holder: null, // focus holder's identity, null if none
    focusRequest: null, // Promise<boolean> of an in-flight request-focus
    focusRelease: false, // a release-focus is in flight
    pageURL: '',
    cursor: 'default',
    videoTrack: null,
    videoPlaying: false,
    audioTrack: null,
    audioEl: null,
    muted: false,
    attempt: 0,
    retryTimer: 0,
    retryAt: 0,
    lastError: '',
    agentSeen: false, // a message on an agent topic arrived
    agentStatus: '', // thinking|acting|idle, '' before the first
    agentCursor: null, // {x, y, width, height, action} while visible
    chat: [], // {sender: 'agent'|'me'|identity, text}
  };

  // Input state.
  const queue = []; // events waiting for the next flush
  let pending = null; // events buffered while a click's focus request is in flight
  let flushFrame = 0;
  let flushTimer = 0;
  let sendChain = Promise.resolve();
  let buttonsDown = 0; // DOM buttons bits this viewer pressed on the page
  const keysDown = new Set(); // key codes this viewer pressed on the page
  let lastPos = null; // last page position sent

  function log(...args) {
    console.info('[viewer]', ...args);
  }

  function errText(e) {
    if (!e) return 'unknown error';
    return e.message || String(e);
  }

  // ---------------------------------------------------------------- UI state

  function setData(name, value) {
    if (body.dataset[name] !== value) body.dataset[name] = value;
  }

  function focusState() {
    if (!st.holder) return 'none';
    return st.holder === st.identity && st.identity ? 'me' : 'other';
  }

  function haveControl() {
    return st.room !== null && focusState() === 'me';
  }

  function holderName(id) {
    if (id === AGENT) return 'The agent';
    return id;
  }

  let messageTimer = 0;
  function showMessage(text, isError) {
    clearTimeout(messageTimer);
    messageEl.textContent = text;
    messageEl.classList.toggle('error', !!isError);
    if (text) messageTimer = setTimeout(() => showMessage(''), isError ? 8000 : 4000);
  }

  function audioState() {
    if (!st.audioTrack) return 'none';
    if (st.room && !st.room.canPlaybackAudio) return 'blocked';
    return st.muted ? 'muted' : 'on';
  }

  function render() {
    const focus = focusState();
    const audio = audioState();
    setData('state', st.conn);
    setData('focus', focus);
    setData('holder', st.holder || '');
    setData('identity', st.identity);
    setData('publisher', st.publisherPresent ? 'present' : 'absent');
    setData('audio', audio);
    setData('video', !st.videoTrack ? 'none' : st.videoPlaying ? 'playing' : 'waiting');
    setData('videoSize', video.videoWidth > 0 ? video.videoWidth + 'x' + video.videoHeight : '');

    const usable = st.conn === 'connected' && st.publisherPresent;
    backBtn.disabled = !usable;
    forwardBtn.disabled = !usable;
    urlField.disabled = !usable;
    focusBtn.disabled = !usable || st.focusRequest !== null || st.focusRelease;
    focusBtn.textContent = focus === 'me' ? 'Release control' : 'Take control';
    focusBtn.setAttribute('aria-pressed', focus === 'me' ? 'true' : 'false');

    soundBtn.hidden = audio === 'none';
    soundBtn.textContent = audio === 'blocked' ? 'Click to enable sound' : audio === 'muted' ? 'Unmute' : 'Mute';

    let status;
    switch (st.conn) {
      case 'connecting':
        status = st.attempt > 0 ? 'Reconnecting…' : 'Connecting…';
        break;
      case 'reconnecting':
        status = 'Connection lost, reconnecting…';
        break;
      case 'disconnected': {
        const secs = Math.max(0, Math.ceil((st.retryAt - Date.now()) / 1000));
        status = st.retryTimer ? 'Disconnected, retrying in ' + secs + ' s' : 'Disconnected';
        if (st.lastError) status += ' (' + st.lastError + ')';
        break;
      }
      default:
        if (!st.publisherPresent) status = 'Connected, waiting for the page to be published';
        else if (focus === 'me') status = 'Connected · You have control';
        else if (focus === 'other') status = 'Connected · ' + holderName(st.holder) + ' has control';
        else status = 'Connected · Nobody has control';
    }
    if (statusEl.textContent !== status) statusEl.textContent = status;
    whoEl.textContent = st.identity ? 'You are ' + st.identity + (st.roomName ? ' in ' + st.roomName : '') : '';

    let overlay = '';
    if (!LK) overlay = 'Viewer assets missing: run bash scripts/setup.sh';
    else if (st.conn === 'connecting') overlay = 'Connecting…';
    else if (st.conn === 'reconnecting') overlay = 'Reconnecting…';
    else if (st.conn === 'disconnected') overlay = status;
    else if (!st.publisherPresent) overlay = 'Waiting for the page…';
    else if (!st.videoTrack) overlay = 'Waiting for video…';
    else overlay = 'Loading video…';
    if (overlayText.textContent !== overlay) overlayText.textContent = overlay;

    let hint = '';
    if (focus === 'none' || st.holder === AGENT) hint = 'Click to take control';
    else if (focus === 'other') hint = holderName(st.holder) + ' has control';
    hintEl.textContent = hint;

    video.style.cursor = focus === 'me' ? st.cursor : '';

    setData('agent', st.agentSeen ? 'present' : 'absent');
    setData('agentStatus', st.agentStatus);
    agentPanel.hidden = !st.agentSeen;
    const statusText = { thinking: 'Thinking…', acting: 'Acting', idle: 'Idle' }[st.agentStatus] || '';
    if (agentStatusEl.textContent !== statusText) agentStatusEl.textContent = statusText;
    const canChat = st.conn === 'connected' && st.publisherPresent;
    chatInput.disabled = !canChat;
    chatSend.disabled = !canChat;
    placeAgentCursor();
  }

  // The agent's cursor over the picture: page pixel x of a page width wide
  // is at x/width of the displayed video, wherever the letterboxing puts it.
  function placeAgentCursor() {
    const c = st.agentCursor;
    const b = c && contentBox();
    if (!b) {
      agentCursorEl.dataset.visible = 'false';
      return;
    }
    const s = stage.getBoundingClientRect();
    const w = b.vw * b.scale;
    const h = b.vh * b.scale;
    agentCursorEl.style.left = (b.left - s.left + (c.x / c.width) * w) + 'px';
    agentCursorEl.style.top = (b.top - s.top + (c.y / c.height) * h) + 'px';
    agentCursorEl.dataset.action = c.action;
    agentCursorEl.dataset.visible = 'true';
  }

  // Ticks the retry countdown.
  setInterval(() => {
    if (st.conn === 'disconnected' && st.retryTimer) render();
  }, 1000);

  // ----------------------------------------------------- coordinate mapping

  // The video is letterboxed (object-fit: contain): the decoded frame
  // occupies a centred box of the element, scaled by the smaller ratio.
  function contentBox() {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return null;
    const r = video.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return null;
    const scale = Math.min(r.width / vw, r.height / vh);
    const w = vw * scale;
    const h = vh * scale;
    return { left: r.left + (r.width - w) / 2, top: r.top + (r.height - h) / 2, scale, vw, vh };
  }

  // Page pixel under a client position; null outside the frame unless
  // clamp, then the nearest pixel inside.
  function toPage(clientX, clientY, clamp) {
    const b = contentBox();
    if (!b) return null;
    let x = Math.floor((clientX - b.left) / b.scale);
    let y = Math.floor((clientY - b.top) / b.scale);
    const inside = x >= 0 && y >= 0 && x < b.vw && y < b.vh;
    if (!inside) {
      if (!clamp) return null;
      x = Math.min(b.vw - 1, Math.max(0, x));
      y = Math.min(b.vh - 1, Math.max(0, y));
    }
    return { x, y };
  }

  // Client position of the centre of page pixel (x, y); for tests.
  function toClient(x, y) {
    const b = contentBox();
    if (!b) return null;
    return { x: b.left + (x + 0.5) * b.scale, y: b.top + (y + 0.5) * b.scale };
  }

  // ------------------------------------------------------------ input queue

  function inputEvent(type, fields) {
    return Object.assign(
      { type, x: 0, y: 0, button: 0, deltaX: 0, deltaY: 0, keyCode: 0, charCode: 0, modifiers: 0 },
      fields,
    );
  }

  // Adds an event for the publisher: consecutive moves are coalesced (the
  // last one wins) and consecutive wheel steps are summed.
  function push(ev) {
    if (pending !== null) {
      if (pending.length < MAX_PENDING) pending.push(ev);
      return;
    }
    if (!haveControl()) return;
    const last = queue[queue.length - 1];
    if (ev.type === 'mousemove' && last && last.type === 'mousemove') {
      queue[queue.length - 1] = ev;
    } else if (ev.type === 'wheel' && last && last.type === 'wheel' && last.modifiers === ev.modifiers) {
      last.x = ev.x;
      last.y = ev.y;
      last.deltaX += ev.deltaX;
      last.deltaY += ev.deltaY;
    } else if (queue.length < MAX_QUEUE) {
      queue.push(ev);
    } else {
      return; // the publisher is not keeping up: drop
    }
    scheduleFlush();
  }

  function scheduleFlush() {
    if (flushFrame || queue.length === 0) return;
    flushFrame = requestAnimationFrame(flush);
    flushTimer = setTimeout(flush, FLUSH_FALLBACK_MS);
  }

  // Sends at most one packet (≤ MAX_BATCH events) per animation frame.
  function flush() {
    cancelAnimationFrame(flushFrame);
    clearTimeout(flushTimer);
    flushFrame = 0;
    flushTimer = 0;
    const room = st.room;
    if (!room || !haveControl()) {
      queue.length = 0;
      return;
    }
    const batch = [];
    while (batch.length < MAX_BATCH && queue.length > 0) {
      const ev = queue.shift();
      if (ev.type === 'wheel') {
        ev.deltaX = Math.round(ev.deltaX);
        ev.deltaY = Math.round(ev.deltaY);
        if (ev.deltaX === 0 && ev.deltaY === 0) continue;
      }
      batch.push(ev);
    }
    if (batch.length > 0) {
      const data = encoder.encode(JSON.stringify(batch));
      const to = st.publisher;
      sendChain = sendChain
        .then(() => room.localParticipant.publishData(data, {
          reliable: true,
          topic: TOPIC_INPUT,
          destinationIdentities: [to],
        }))
        .catch((e) => log('cannot send input:', errText(e)));
    }
    scheduleFlush();
  }

  // Forgets pressed keys and buttons: after control is lost, or releases
  // them on the page when this viewer still has control (blur).
  function releaseHeld(send) {
    if (send && haveControl()) {
      const mods = heldButtonMods();
      for (const code of keysDown) push(inputEvent('keyup', { keyCode: code, modifiers: mods }));
      for (const b of [0, 1, 2]) {
        if (buttonsDown & BUTTON_BIT[b] && lastPos) {
          buttonsDown &= ~BUTTON_BIT[b];
          push(inputEvent('mouseup', { x: lastPos.x, y: lastPos.y, button: b, modifiers: heldButtonMods() }));
        }
      }
    }
    keysDown.clear();
    buttonsDown = 0;
  }

  // ------------------------------------------------------------------ focus

  function setHolder(id) {
    const before = focusState();
    st.holder = id || null;
    const after = focusState();
    if (before === 'me' && after !== 'me') {
      releaseHeld(false);
      queue.length = 0;
      if (before !== after) log('control lost to', st.holder);
    }
    render();
  }

  async function rpc(method, payload) {
    const room = st.room;
    if (!room) throw new Error('not connected');
    return room.localParticipant.performRpc({
      destinationIdentity: st.publisher,
      method,
      payload: payload || '',
    });
  }

  // Asks the publisher for focus; resolves true once this viewer holds it.
  function requestFocus() {
    if (haveControl()) return Promise.resolve(true);
    if (st.focusRequest) return st.focusRequest;
    const room = st.room;
    st.focusRequest = (async () => {
      try {
        const res = JSON.parse(await rpc('browser/request-focus', ''));
        if (st.room !== room) return false;
        if (res.granted) {
          setHolder(st.identity);
          return true;
        }
        if (res.holder) setHolder(res.holder);
        showMessage((res.holder ? holderName(res.holder) : 'Someone else') + ' has control', true);
        return false;
      } catch (e) {
        showMessage('Could not take control: ' + errText(e), true);
        return false;
      } finally {
        st.focusRequest = null;
        render();
      }
    })();
    render();
    return st.focusRequest;
  }

  async function releaseFocus() {
    if (st.focusRelease) return;
    releaseHeld(true);
    flush();
    st.focusRelease = true;
    render();
    try {
      const res = JSON.parse(await rpc('browser/release-focus', ''));
      if (res.released && focusState() === 'me') setHolder(null);
    } catch (e) {
      showMessage('Could not release control: ' + errText(e), true);
    } finally {
      st.focusRelease = false;
      render();
    }
  }

  // A click on the page while nobody (or only the agent) has control takes
  // control first; the click and what follows it until the answer are
  // buffered, then sent if control was granted.
  function takeControlWith(events) {
    pending = events.slice();
    requestFocus().then((granted) => {
      const evs = pending || [];
      pending = null;
      if (granted) {
        for (const ev of evs) push(ev);
      } else {
        buttonsDown = 0;
        keysDown.clear();
      }
    });
  }

  // ------------------------------------------------------------------ mouse

  function mouseMods(e) {
    let m = 0;
    if (e.shiftKey) m |= MOD_SHIFT;
    if (e.ctrlKey) m |= MOD_CTRL;
    if (e.altKey) m |= MOD_ALT;
    if (e.metaKey) m |= MOD_META;
    if (e.buttons & 1) m |= MOD_LEFT;
    if (e.buttons & 4) m |= MOD_MIDDLE;
    if (e.buttons & 2) m |= MOD_RIGHT;
    return m;
  }

  function heldButtonMods() {
    let m = 0;
    if (buttonsDown & 1) m |= MOD_LEFT;
    if (buttonsDown & 4) m |= MOD_MIDDLE;
    if (buttonsDown & 2) m |= MOD_RIGHT;
    return m;
  }

  function videoUsable() {
    return st.room !== null && st.videoTrack !== null && video.videoWidth > 0;
  }

  function maybeStartAudio() {
    const room = st.room;
    if (room && !room.canPlaybackAudio) {
      room.startAudio().then(applyMute, () => {}).finally(render);
    }
  }

  function onPointerDown(e) {
    if (e.pointerType === 'touch' && !e.isPrimary) return;
    e.preventDefault(); // no text selection, drag, autoscroll; focus is ours
    stage.focus({ preventScroll: true });
    maybeStartAudio();
    if (!(e.button in BUTTON_BIT) || !videoUsable()) return;
    const p = toPage(e.clientX, e.clientY, false);
    if (!p) return; // in the letterbox
    const focus = focusState();
    const down = inputEvent('mousedown', { x: p.x, y: p.y, button: e.button, modifiers: mouseMods(e) });
    if (focus === 'me' || pending !== null) {
      buttonsDown |= BUTTON_BIT[e.button];
      lastPos = p;
      capture(e);
      push(inputEvent('mousemove', { x: p.x, y: p.y, modifiers: mouseMods(e) & ~BUTTON_MOD[e.button] }));
      push(down);
      return;
    }
    if (focus === 'none' || st.holder === AGENT) {
      buttonsDown |= BUTTON_BIT[e.button];
      lastPos = p;
      capture(e);
      const move = inputEvent('mousemove', { x: p.x, y: p.y, modifiers: mouseMods(e) & ~BUTTON_MOD[e.button] });
      takeControlWith([move, down]);
      return;
    }
    showMessage(holderName(st.holder) + ' has control');
  }

  function capture(e) {
    try {
      stage.setPointerCapture(e.pointerId);
    } catch (_) { /* pointer already gone */ }
  }

  function onPointerMove(e) {
    if (e.pointerType === 'touch' && !e.isPrimary) return;
    if (!(haveControl() || pending !== null) || !videoUsable()) return;
    // A button pressed or released while another is held (a chord) comes
    // as a pointermove with button set.
    if (e.button in BUTTON_BIT) {
      const bit = BUTTON_BIT[e.button];
      if (e.buttons & bit && !(buttonsDown & bit)) return chordDown(e);
      if (!(e.buttons & bit) && buttonsDown & bit) return onPointerUp(e);
    }
    const p = toPage(e.clientX, e.clientY, buttonsDown !== 0);
    if (!p) return;
    lastPos = p;
    push(inputEvent('mousemove', { x: p.x, y: p.y, modifiers: mouseMods(e) }));
  }

  function chordDown(e) {
    const p = toPage(e.clientX, e.clientY, true);
    if (!p) return;
    buttonsDown |= BUTTON_BIT[e.button];
    lastPos = p;
    push(inputEvent('mousedown', { x: p.x, y: p.y, button: e.button, modifiers: mouseMods(e) }));
  }

  function onPointerUp(e) {
    if (!(e.button in BUTTON_BIT)) return;
    const bit = BUTTON_BIT[e.button];
    if (!(buttonsDown & bit)) return;
    buttonsDown &= ~bit;
    const p = toPage(e.clientX, e.clientY, true) || lastPos;
    if (!p) return;
    lastPos = p;
    push(inputEvent('mouseup', { x: p.x, y: p.y, button: e.button, modifiers: mouseMods(e) }));
  }

  // Capture lost without a pointerup (pointercancel, element removed):
  // release what is still held.
  function onPointerLost() {
    if (buttonsDown === 0) return;
    for (const b of [0, 1, 2]) {
      if (buttonsDown & BUTTON_BIT[b]) {
        buttonsDown &= ~BUTTON_BIT[b];
        if (lastPos) push(inputEvent('mouseup', { x: lastPos.x, y: lastPos.y, button: b, modifiers: heldButtonMods() }));
      }
    }
  }

  function onWheel(e) {
    if (!haveControl() || !videoUsable()) return;
    e.preventDefault();
    const p = toPage(e.clientX, e.clientY, false);
    if (!p) return;
    const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1;
    // CEF's signs: positive deltaY scrolls up.
    push(inputEvent('wheel', {
      x: p.x, y: p.y, deltaX: -e.deltaX * unit, deltaY: -e.deltaY * unit, modifiers: mouseMods(e),
    }));
  }

  // --------------------------------------------------------------- keyboard

  function keyMods(e) {
    let m = heldButtonMods();
    if (e.shiftKey) m |= MOD_SHIFT;
    if (e.ctrlKey) m |= MOD_CTRL;
    if (e.altKey) m |= MOD_ALT;
    if (e.metaKey) m |= MOD_META;
    return m;
  }

  // The character a keydown types, as a code point, or null: e.key is a
  // single code point (Enter types '\r', as in CEF), and no shortcut
  // modifier is held unless AltGr makes the character.
  function typedChar(e) {
    const altGraph = e.getModifierState && e.getModifierState('AltGraph');
    if ((e.ctrlKey || e.metaKey || e.altKey) && !altGraph) return null;
    if (e.key === 'Enter') return 13;
    const cps = Array.from(e.key || '');
    if (cps.length !== 1) return null;
    return cps[0].codePointAt(0);
  }

  function onKeyDown(e) {
    if (!(haveControl() || pending !== null)) return;
    if (e.isComposing || e.keyCode === 229) return; // input method
    const ch = typedChar(e);
    if (!e.keyCode && ch === null) return;
    e.preventDefault();
    const mods = keyMods(e);
    if (e.keyCode) {
      // A key without a virtual key code (0) that types a character sends
      // the character alone.
      keysDown.add(e.keyCode);
      push(inputEvent('keydown', { keyCode: e.keyCode, modifiers: mods }));
    }
    if (ch !== null) {
      const altGraph = e.getModifierState && e.getModifierState('AltGraph');
      const charMods = altGraph ? mods & ~(MOD_CTRL | MOD_ALT) : mods;
      push(inputEvent('char', { keyCode: ch, charCode: ch, modifiers: charMods }));
    }
  }

  function onKeyUp(e) {
    if (!keysDown.has(e.keyCode)) return;
    e.preventDefault();
    keysDown.delete(e.keyCode);
    push(inputEvent('keyup', { keyCode: e.keyCode, modifiers: keyMods(e) }));
  }

  // -------------------------------------------------------------- URL field

  function normalizeURL(raw) {
    const s = raw.trim();
    if (!s) return '';
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^(about|data|blob|javascript|view-source|chrome|mailto):/i.test(s)) {
      return s;
    }
    if (/^(localhost|127\.|\[::1\])/i.test(s)) return 'http://' + s;
    return 'https://' + s;
  }

  async function navigate(raw) {
    const target = normalizeURL(raw);
    if (!target) return;
    urlField.classList.add('busy');
    try {
      const res = JSON.parse(await rpc('browser/navigate', JSON.stringify({ url: target })));
      if (res.status && res.status !== 'ok') throw new Error(res.status);
      showMessage('Loading ' + target);
      stage.focus({ preventScroll: true }); // leave the field: it follows the page again
    } catch (e) {
      showMessage('Navigation refused: ' + errText(e), true);
    } finally {
      urlField.classList.remove('busy');
    }
  }

  function showPageURL() {
    if (document.activeElement !== urlField) urlField.value = st.pageURL;
  }

  async function goHistory(method, label) {
    try {
      await rpc(method, '');
    } catch (e) {
      showMessage('Could not go ' + label + ': ' + errText(e), true);
    }
  }

  // ------------------------------------------------------------------ media

  function attachVideo(track) {
    if (st.videoTrack === track) return;
    if (st.videoTrack) st.videoTrack.detach(video);
    st.videoTrack = track;
    st.videoPlaying = false;
    track.attach(video);
    render();
  }

  function detachVideo(track) {
    if (!st.videoTrack || (track && track !== st.videoTrack)) return;
    st.videoTrack.detach(video);
    st.videoTrack = null;
    st.videoPlaying = false;
    render();
  }

  function applyMute() {
    if (st.audioEl) st.audioEl.muted = st.muted;
  }

  function attachAudio(track) {
    if (st.audioTrack === track) return;
    detachAudio();
    st.audioTrack = track;
    st.audioEl = track.attach();
    st.audioEl.id = 'audio';
    st.audioEl.hidden = true;
    body.appendChild(st.audioEl);
    applyMute();
    render();
  }

  function detachAudio(track) {
    if (!st.audioTrack || (track && track !== st.audioTrack)) return;
    st.audioTrack.detach().forEach((el) => el.remove());
    st.audioTrack = null;
    st.audioEl = null;
    render();
  }

  function onTrackSubscribed(track, publication, participant) {
    if (!participant || participant.identity !== st.publisher) return;
    if (track.kind === 'video') attachVideo(track);
    else if (track.kind === 'audio') attachAudio(track);
  }

  function onTrackUnsubscribed(track, publication, participant) {
    if (!participant || participant.identity !== st.publisher) return;
    if (track.kind === 'video') detachVideo(track);
    else if (track.kind === 'audio') detachAudio(track);
  }

  // Tracks subscribed before our handlers ran, or kept over a reconnect.
  function scanPublisher(room) {
    const p = room.remoteParticipants.get(st.publisher);
    st.publisherPresent = !!p;
    if (p) {
      for (const pub of p.trackPublications.values()) {
        if (pub.track) onTrackSubscribed(pub.track, pub, p);
      }
    }
    render();
  }

  // Frames: data-video=playing once a frame of a sized video is presented.
  function onFrame() {
    if (st.videoTrack && video.videoWidth > 0 && !st.videoPlaying) {
      st.videoPlaying = true;
      render();
    }
    watchFrames();
  }

  function watchFrames() {
    if (typeof video.requestVideoFrameCallback === 'function') {
      video.requestVideoFrameCallback(onFrame);
    }
  }

  // ------------------------------------------------------------------- data

  function onData(payload, participant, kind, topic) {
    if (!participant) return;
    const fromPublisher = participant.identity === st.publisher;
    if (topic === TOPIC_AGENT_CHAT || topic === TOPIC_AGENT_STATUS || topic === TOPIC_AGENT_CURSOR) {
      onAgentData(payload, participant.identity, fromPublisher, topic);
      return;
    }
    if (!fromPublisher) return;
    if (topic !== TOPIC_FOCUS && topic !== TOPIC_URL && topic !== TOPIC_CURSOR) return;
    const msg = parseMessage(payload, topic);
    if (!msg) return;
    switch (topic) {
      case TOPIC_FOCUS:
        setHolder(typeof msg.identity === 'string' ? msg.identity : null);
        break;
      case TOPIC_URL:
        if (typeof msg.url === 'string') {
          st.pageURL = msg.url;
          showPageURL();
          document.title = (msg.url || 'lkbrowser') + ' · lkbrowser viewer';
        }
        break;
      case TOPIC_CURSOR:
        // A CSS cursor keyword only: never url(...) or anything else.
        if (typeof msg.cursor === 'string' && /^[a-z-]{1,32}$/.test(msg.cursor)) {
          st.cursor = msg.cursor;
          render();
        }
        break;
    }
  }

  // parseMessage decodes a data message's JSON object; null (logged) for
  // anything else.
  function parseMessage(payload, topic) {
    let msg;
    try {
      msg = JSON.parse(decoder.decode(payload));
    } catch (e) {
      log('bad message on', topic, errText(e));
      return null;
    }
    return msg && typeof msg === 'object' ? msg : null;
  }

  // ------------------------------------------------------------------ agent

  // Agent topics: status and cursor only from the publisher (the agent
  // speaks through it); chat from anyone, shown as the agent's only when
  // the publisher sent it with sender "agent".
  function onAgentData(payload, from, fromPublisher, topic) {
    if (topic !== TOPIC_AGENT_CHAT && !fromPublisher) return;
    const msg = parseMessage(payload, topic);
    if (!msg) return;
    switch (topic) {
      case TOPIC_AGENT_CHAT:
        if (typeof msg.text !== 'string' || msg.text === '') return;
        addChat(fromPublisher && msg.sender === 'agent' ? 'agent' : from, msg.text);
        if (fromPublisher) st.agentSeen = true;
        break;
      case TOPIC_AGENT_STATUS:
        if (!AGENT_STATUSES.includes(msg.status)) return;
        st.agentStatus = msg.status;
        st.agentSeen = true;
        break;
      case TOPIC_AGENT_CURSOR: {
        st.agentSeen = true;
        const ok = (v) => typeof v === 'number' && isFinite(v);
        if (msg.visible === true && ok(msg.x) && ok(msg.y) && ok(msg.width) && ok(msg.height) && msg.width > 0 && msg.height > 0) {
          st.agentCursor = {
            x: msg.x, y: msg.y, width: msg.width, height: msg.height,
            action: typeof msg.action === 'string' ? msg.action.slice(0, 32) : '',
          };
        } else {
          st.agentCursor = null;
        }
        break;
      }
    }
    render();
  }

  function addChat(sender, text) {
    st.chat.push({ sender, text });
    if (st.chat.length > MAX_CHAT) {
      st.chat.shift();
      if (chatLog.firstChild) chatLog.firstChild.remove();
    }
    const li = document.createElement('li');
    li.dataset.sender = sender === 'agent' || sender === 'me' ? sender : 'viewer';
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = sender === 'agent' ? 'Agent' : sender === 'me' ? 'You' : sender;
    li.append(who, document.createTextNode(text)); // text only, never markup
    chatLog.appendChild(li);
    chatLog.scrollTop = chatLog.scrollHeight;
  }

  // Sends a chat message to the agent (and the other viewers).
  function sendChat() {
    const room = st.room;
    const text = Array.from(chatInput.value.trim()).slice(0, MAX_CHAT_TEXT).join('');
    if (!room || !text) return;
    chatInput.value = '';
    addChat('me', text);
    const data = encoder.encode(JSON.stringify({ text }));
    room.localParticipant.publishData(data, { reliable: true, topic: TOPIC_AGENT_CHAT })
      .catch((e) => showMessage('Message not sent: ' + errText(e), true));
  }

  // ------------------------------------------------------------- connection

  function setConn(conn) {
    if (st.conn !== conn) log('connection', st.conn, '->', conn);
    st.conn = conn;
    render();
  }

  function resetRoomState() {
    releaseHeld(false);
    queue.length = 0;
    pending = null;
    detachVideo();
    detachAudio();
    st.holder = null;
    st.publisherPresent = false;
    st.focusRequest = null;
    st.focusRelease = false;
    st.agentCursor = null; // the chat log stays
    st.agentStatus = '';
  }

  function retryLater(err) {
    st.lastError = err ? errText(err) : '';
    const delay = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** Math.min(st.attempt, 5));
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    st.attempt++;
    st.retryAt = Date.now() + jittered;
    clearTimeout(st.retryTimer);
    st.retryTimer = setTimeout(() => {
      st.retryTimer = 0;
      join();
    }, jittered);
    log('joining again in', jittered, 'ms:', st.lastError);
    setConn('disconnected');
  }

  function wire(room) {
    const E = LK.RoomEvent;
    const mine = (fn) => (...args) => {
      if (st.room === room) fn(...args);
    };
    room
      .on(E.TrackSubscribed, mine(onTrackSubscribed))
      .on(E.TrackUnsubscribed, mine(onTrackUnsubscribed))
      .on(E.DataReceived, mine(onData))
      .on(E.AudioPlaybackStatusChanged, mine(() => {
        applyMute();
        render();
      }))
      .on(E.ParticipantConnected, mine((p) => {
        if (p.identity === st.publisher) scanPublisher(room);
      }))
      .on(E.ParticipantDisconnected, mine((p) => {
        if (p.identity !== st.publisher) return;
        detachVideo();
        detachAudio();
        st.publisherPresent = false;
        st.agentCursor = null;
        st.agentStatus = '';
        setHolder(null);
      }))
      .on(E.Reconnecting, mine(() => setConn('reconnecting')))
      .on(E.SignalReconnecting, mine(() => setConn('reconnecting')))
      .on(E.Reconnected, mine(() => {
        setConn('connected');
        scanPublisher(room);
      }))
      .on(E.Disconnected, mine((reason) => {
        log('disconnected, reason', reason);
        st.room = null;
        resetRoomState();
        if (reason === LK.DisconnectReason.CLIENT_INITIATED) {
          setConn('disconnected');
          return;
        }
        const name = LK.DisconnectReason ? LK.DisconnectReason[reason] : undefined;
        retryLater(new Error(typeof name === 'string' ? name.toLowerCase().replace(/_/g, ' ') : 'connection closed'));
      }));
  }

  async function join() {
    setConn('connecting');
    let info;
    try {
      const resp = await fetch('/api/join', { cache: 'no-store', credentials: 'same-origin' });
      if (!resp.ok) throw new Error('join: HTTP ' + resp.status + ' ' + (await resp.text()).trim());
      info = await resp.json();
    } catch (e) {
      retryLater(e);
      return;
    }
    st.identity = info.identity;
    st.publisher = info.publisher || 'lkbrowser';
    st.roomName = info.room || '';
    const room = new LK.Room({ adaptiveStream: false, dynacast: false });
    st.room = room;
    wire(room);
    try {
      await room.connect(info.url, info.token, { autoSubscribe: true });
    } catch (e) {
      if (st.room === room) {
        st.room = null;
        resetRoomState();
        room.removeAllListeners();
        room.disconnect().catch(() => {});
        retryLater(e);
      }
      return;
    }
    if (st.room !== room) return;
    st.attempt = 0;
    st.lastError = '';
    log('joined as', st.identity);
    setConn('connected');
    scanPublisher(room);
  }

  // ------------------------------------------------------------ listeners

  stage.addEventListener('pointerdown', onPointerDown);
  stage.addEventListener('pointermove', onPointerMove);
  stage.addEventListener('pointerup', onPointerUp);
  stage.addEventListener('pointercancel', onPointerLost);
  stage.addEventListener('lostpointercapture', onPointerLost);
  stage.addEventListener('wheel', onWheel, { passive: false });
  stage.addEventListener('contextmenu', (e) => e.preventDefault());
  stage.addEventListener('dragstart', (e) => e.preventDefault());
  stage.addEventListener('keydown', onKeyDown);
  stage.addEventListener('keyup', onKeyUp);
  stage.addEventListener('blur', () => releaseHeld(true));
  window.addEventListener('blur', () => releaseHeld(true));
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) releaseHeld(true);
  });

  video.addEventListener('resize', render); // size changes: page resize, 8x8 end frame
  window.addEventListener('resize', placeAgentCursor);
  chatForm.addEventListener('submit', (e) => {
    e.preventDefault();
    sendChat();
  });
  video.addEventListener('loadedmetadata', render);
  video.addEventListener('emptied', render);
  if (typeof video.requestVideoFrameCallback !== 'function') {
    video.addEventListener('timeupdate', () => {
      if (video.currentTime > 0) onFrame();
    });
  }
  watchFrames();

  focusBtn.addEventListener('click', () => {
    maybeStartAudio();
    if (focusState() === 'me') {
      releaseFocus();
    } else {
      requestFocus().then((granted) => {
        if (granted) stage.focus({ preventScroll: true });
      });
    }
  });
  soundBtn.addEventListener('click', () => {
    const room = st.room;
    if (!room) return;
    if (!room.canPlaybackAudio) {
      st.muted = false;
      room.startAudio().then(applyMute, (e) => showMessage('Could not start sound: ' + errText(e), true)).finally(render);
      return;
    }
    st.muted = !st.muted;
    applyMute();
    render();
  });
  backBtn.addEventListener('click', () => goHistory('browser/go-back', 'back'));
  forwardBtn.addEventListener('click', () => goHistory('browser/go-forward', 'forward'));
  urlField.addEventListener('focus', () => urlField.select());
  urlField.addEventListener('blur', () => {
    urlField.value = st.pageURL;
  });
  urlField.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      navigate(urlField.value);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      urlField.value = st.pageURL;
      urlField.blur();
    }
  });

  window.lkViewer = {
    toPage: (clientX, clientY) => toPage(clientX, clientY, false),
    toClient,
    get room() { return st.room; },
    state: () => ({
      conn: st.conn, identity: st.identity, publisher: st.publisher, holder: st.holder,
      focus: focusState(), url: st.pageURL, cursor: st.cursor, queued: queue.length,
      videoWidth: video.videoWidth, videoHeight: video.videoHeight,
      agentStatus: st.agentStatus, agentCursor: st.agentCursor, chat: st.chat.slice(),
    }),
  };

  if (!LK) {
    st.lastError = 'livekit-client missing';
    setConn('disconnected');
    showMessage('Viewer assets missing: run bash scripts/setup.sh', true);
    return;
  }
  // ?debug in the page's URL turns on livekit-client's debug log (console).
  LK.setLogLevel(new URLSearchParams(location.search).has('debug') ? 'debug' : 'warn');
  join();
})();
