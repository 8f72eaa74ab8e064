// Harness only, never the product: Wine 8.0 rejects TCP keep-alive options on a socket that is not connected yet
// (real Windows accepts them), and undici sets them while connecting. Defer them until the socket connects.
'use strict';
const net = require('node:net');

const setKeepAlive = net.Socket.prototype.setKeepAlive;
net.Socket.prototype.setKeepAlive = function deferredSetKeepAlive(enable, delay) {
  if (this.connecting) {
    this.once('connect', () => setKeepAlive.call(this, enable, delay));
    return this;
  }
  return setKeepAlive.call(this, enable, delay);
};
