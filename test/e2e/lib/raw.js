'use strict';
// Raw Engine.IO clients (no socket.io-client): a WebSocket with a message queue, and
// fetch()-based polling requests.

const WebSocket = require('ws');
const { within } = require('./util');

// A WebSocket whose incoming messages queue up for `next()`: text as strings, binary as
// Buffers. Answers Engine.IO pings unless `answerPings` is false.
class RawSocket {
  constructor(url, { answerPings = true, headers } = {}) {
    this.ws = new WebSocket(url, { headers });
    this.queue = [];
    this.waiters = [];
    this.pings = 0;
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.isClosed = false;
    this.closed.then(() => {
      this.isClosed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('socket closed'));
    });
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
      this.ws.once('unexpected-response', (req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
    });
    this.opened.catch(() => {});
    this.ws.on('message', (data, isBinary) => {
      const msg = isBinary ? Buffer.from(data) : data.toString();
      if (msg === '2' && answerPings) {
        ++this.pings;
        this.ws.send('3');
        return;
      }
      const w = this.waiters.shift();
      if (w) w.resolve(msg);
      else this.queue.push(msg);
    });
  }

  // The next message that is not a ping answered automatically.
  next(ms = 2000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.isClosed) return Promise.reject(new Error('socket closed'));
    let waiter;
    const p = new Promise((resolve, reject) => {
      waiter = { resolve, reject };
      this.waiters.push(waiter);
    });
    return within(p, ms, 'no message').catch((e) => {
      const i = this.waiters.indexOf(waiter);
      if (i >= 0) this.waiters.splice(i, 1);
      throw e;
    });
  }

  // Resolves true if nothing but pings arrives within `ms`.
  async quiet(ms) {
    try {
      const m = await this.next(ms);
      this.queue.unshift(m);
      return false;
    } catch {
      return true;
    }
  }

  send(data) {
    this.ws.send(data);
  }

  // Resolves with { code, reason } when closed, rejecting after `ms`.
  waitClosed(ms = 2000) {
    return within(this.closed, ms, 'the server did not close the connection');
  }

  terminate() {
    this.ws.terminate();
  }
}

// Opens an Engine.IO WebSocket session on `path` and reads its open packet.
async function openWebSocket(t, wsBase, path, opts = {}) {
  const sock = new RawSocket(`${wsBase}${path}?EIO=4&transport=websocket`, opts);
  if (t) t.after(() => sock.terminate());
  await within(sock.opened, 2000, 'WebSocket did not open');
  const open = await sock.next();
  if (typeof open !== 'string' || open[0] !== '0') throw new Error(`expected an open packet, got ${open}`);
  sock.handshake = JSON.parse(open.slice(1));
  return sock;
}

// Polling session helpers on `base` (e.g. http://127.0.0.1:PORT/engine.io/).
async function openPolling(httpBase, path, headers = {}) {
  const url = `${httpBase}${path}?EIO=4&transport=polling`;
  const res = await fetch(url, { headers });
  const body = await res.text();
  if (res.status !== 200 || body[0] !== '0') throw new Error(`handshake failed: ${res.status} ${body}`);
  const handshake = JSON.parse(body.slice(1));
  const sidUrl = `${url}&sid=${encodeURIComponent(handshake.sid)}`;
  return {
    handshake,
    sid: handshake.sid,
    url: sidUrl,
    get: (opts = {}) => fetch(sidUrl, opts),
    post: (body, opts = {}) => fetch(sidUrl, { method: 'POST', body, ...opts }),
  };
}

module.exports = { RawSocket, openWebSocket, openPolling };
