// connect.mjs attaches Playwright to an lkbrowser page over its DevTools
// endpoint, clicks the page's button and reads back the text the click wrote.
// Used by tests/devtools_test.go:
//
//	node connect.mjs <devtoolsURL> <pageURL>
//
// It prints one JSON line: {"ok":true,"before":...,"text":...,...} or
// {"ok":false,"error":...}, and exits non-zero on failure. It only
// disconnects at the end: browser.close() on a browser obtained with
// connectOverCDP closes the connection, not the browser nor its pages.
import { chromium } from 'playwright-core';

const [devtoolsURL, pageURL] = process.argv.slice(2);

function report(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

// Give up well before the Go test does, so that it reads our error.
const watchdog = setTimeout(() => {
  report({ ok: false, error: 'connect.mjs: timed out after 90s' });
  process.exit(2);
}, 90_000);

async function findPage(browser, deadline) {
  for (;;) {
    const pages = browser.contexts().flatMap(c => c.pages());
    const page = pages.find(p => p.url() === pageURL);
    if (page) return page;
    if (Date.now() > deadline) {
      throw new Error(`no page with URL ${pageURL} among ${JSON.stringify(pages.map(p => p.url()))}`);
    }
    await new Promise(r => setTimeout(r, 100));
  }
}

async function main() {
  if (!devtoolsURL || !pageURL) throw new Error('usage: node connect.mjs <devtoolsURL> <pageURL>');
  const browser = await chromium.connectOverCDP(devtoolsURL, { timeout: 60_000 });
  try {
    const contexts = browser.contexts().length;
    const page = await findPage(browser, Date.now() + 20_000);
    page.setDefaultTimeout(30_000);
    const out = page.locator('#out');
    const before = await out.textContent();
    await page.locator('#btn').click();
    await page.waitForFunction(b => document.getElementById('out').textContent !== b, before);
    const text = await out.textContent();
    return {
      ok: true,
      before,
      text,
      url: page.url(),
      title: await page.title(),
      contexts,
      pages: browser.contexts().reduce((n, c) => n + c.pages().length, 0),
      version: browser.version(),
    };
  } finally {
    await browser.close();
  }
}

main().then(
  result => { clearTimeout(watchdog); report(result); },
  err => { clearTimeout(watchdog); report({ ok: false, error: String(err && err.stack || err) }); process.exitCode = 1; },
);
