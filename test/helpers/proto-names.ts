// Usernames that a plain JavaScript object already answers to: used as keys
// (`out[name]`) they meet Object.prototype instead of an empty slot.

import { isValidUsername } from '../../src/protocol.js';

/**
 * Every Object.prototype property that is a valid username, and a few more
 * names JavaScript treats specially (a `then` makes an object look like a
 * promise, a `toJSON` changes what JSON.stringify writes).
 */
export const PROTO_NAMES: readonly string[] = [
  ...new Set([
    ...Object.getOwnPropertyNames(Object.prototype),
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    'toLocaleString',
    '__defineGetter__',
    '__defineSetter__',
    '__lookupGetter__',
    '__lookupSetter__',
    'toJSON',
    'then',
    'length',
  ]),
].filter(isValidUsername);
