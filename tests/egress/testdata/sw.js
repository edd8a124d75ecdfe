self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("message", (e) => {
  const port = e.ports[0];
  fetch(e.data, {mode: "no-cors"}).then(() => port.postMessage("loaded"), () => port.postMessage("error"));
});
