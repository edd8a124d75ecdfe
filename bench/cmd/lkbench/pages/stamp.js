// The time stamp of lkbench's pages (the design of
// tests/room/testdata/stamp.html): on every animation frame, the page's
// wall-clock time as a strip at its top-left corner that the harness
// decodes from each frame (internal/testing/stamp): 52 cells of 24x24 device
// pixels, black 0 or white 1: the start guard 1 0, Date.now() in 44 bits
// (most significant first), the XOR of its 11 nibbles in 4 bits, the stop
// guard 0 1. stampFrame(fn) calls fn(ms) on every animation frame, then
// draws ms.
(function () {
  const CELL = 24, BITS = 44, CELLS = 2 + BITS + 4 + 2;
  const canvas = document.createElement('canvas');
  // One canvas pixel per device pixel.
  const dpr = devicePixelRatio || 1;
  canvas.width = CELLS * CELL; canvas.height = CELL;
  canvas.style.cssText = 'position:absolute;left:0;top:0;z-index:10;width:' +
    (CELLS * CELL / dpr) + 'px;height:' + (CELL / dpr) + 'px';
  document.body.appendChild(canvas);
  const ctx = canvas.getContext('2d', {alpha: false});

  function draw(ms) {
    const bits = [1, 0];
    // 44 bits do not fit a 32-bit integer: split into 12 high and 32 low.
    const hi = Math.floor(ms / 2 ** 32), lo = ms % 2 ** 32;
    let check = 0;
    for (let i = 0; i < 11; i++) {
      check ^= i < 8 ? (lo >>> (4 * i)) & 15 : (hi >>> (4 * (i - 8))) & 15;
    }
    for (let i = BITS - 1; i >= 0; i--) bits.push(i >= 32 ? (hi >>> (i - 32)) & 1 : (lo >>> i) & 1);
    for (let i = 3; i >= 0; i--) bits.push((check >>> i) & 1);
    bits.push(0, 1);
    for (let i = 0; i < bits.length; i++) {
      ctx.fillStyle = bits[i] ? '#fff' : '#000';
      ctx.fillRect(i * CELL, 0, CELL, CELL);
    }
  }

  window.stampFrame = function (fn) {
    function frame() {
      const ms = Date.now();
      fn(ms);
      draw(ms);
      requestAnimationFrame(frame);
    }
    requestAnimationFrame(frame);
  };
})();
