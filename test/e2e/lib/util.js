'use strict';
// Small promise helpers around socket.io-client for the e2e tests.

const { io } = require('socket.io-client');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Resolves with the arguments (an array) of the next `event` on `emitter` (socket.io-client
// sockets, managers and engines, or Node EventEmitters); rejects after `ms`.
function nextEvent(emitter, event, ms = 2000) {
  return new Promise((resolve, reject) => {
    const onEvent = (...args) => {
      clearTimeout(timer);
      resolve(args);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`no '${event}' within ${ms} ms`));
    }, ms);
    emitter.once(event, onEvent);
  });
}

// `promise`, or a rejection with `what` if it has not settled within `ms`. The timer is
// cleared either way, so it never holds the process open.
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${typeof what === 'function' ? what() : what} (after ${ms} ms)`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves true if `event` fires within `ms`, false otherwise (for "must not happen" checks).
function firesWithin(emitter, event, ms) {
  return nextEvent(emitter, event, ms).then(
    () => true,
    () => false,
  );
}

// Opens a socket on a fresh Manager (no reconnection unless asked) and waits for 'connect'
// and for the fixture's 'auth' event, which it emits right after every CONNECT. Resolves with
// { socket, auth, handshake } (handshake: the Engine.IO open packet's data). The socket is registered with `t` (a node:test context) to be closed
// after the test.
async function connect(t, url, opts = {}) {
  const socket = io(url, { forceNew: true, reconnection: false, ...opts });
  if (t) t.after(() => socket.disconnect());
  let handshake;
  socket.io.engine.once('handshake', (data) => {
    handshake = data;
  });
  const authP = nextEvent(socket, 'auth', 3000);
  authP.catch(() => {}); // reported below if it matters
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'connect' to ${url} within 3000 ms`)), 3000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(new Error(`connect_error: ${err.message}`));
    });
  });
  const [auth] = await authP;
  return { socket, auth, handshake };
}

// Emits `message` and resolves with the arguments of the next `message-back`.
async function echo(socket, ...args) {
  const back = nextEvent(socket, 'message-back', 3000);
  socket.emit('message', ...args);
  return back;
}

module.exports = { sleep, within, nextEvent, firesWithin, connect, echo };
