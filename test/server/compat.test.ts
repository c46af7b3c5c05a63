// Speaks to the server exactly as the original Python CLI client did: one
// socket, requests ending in " \r\n", two spaces before a message, replies
// read until "\r\n\r\n" and decoded with a plain JSON parser; the transcript
// of the original documentation, step by step.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawClient, startServer, type TestServer } from '../helpers/server.js';

describe('the original ChatBox client', () => {
  let server: TestServer;
  let messi: RawClient;
  let henderson: RawClient;
  before(async () => {
    server = await startServer();
    messi = await RawClient.connect(server.port);
    henderson = await RawClient.connect(server.port);
  });
  after(async () => {
    messi?.close();
    henderson?.close();
    await server?.stop();
  });

  let messiToken = '';
  let hendersonToken = '';

  it('auth messi surabaya', async () => {
    messi.write('auth messi surabaya \r\n');
    const frame = await messi.frame();
    assert.match(frame, /^\{"status": "OK", "tokenid": "[0-9a-f-]{36}"\}$/);
    messiToken = String((JSON.parse(frame) as { tokenid: string }).tokenid);
    const h = await henderson.ask('auth henderson surabaya');
    hendersonToken = String(h.tokenid);
  });

  it('send <token> henderson  hai, apakabar?', async () => {
    messi.write(`send ${messiToken} henderson  hai, apakabar? \r\n`);
    assert.equal(await messi.frame(), '{"status": "OK", "message": "Message Sent"}');
  });

  it('inbox on the other side', async () => {
    const reply = await henderson.ask(`inbox ${hendersonToken}`);
    assert.equal(reply.status, 'OK');
    const messages = reply.messages as Record<string, Array<Record<string, unknown>>>;
    assert.deepEqual(Object.keys(messages), ['messi']);
    const m = messages.messi![0]!;
    assert.equal(m.msg_from, 'Lionel Messi');
    assert.equal(m.msg_to, 'Jordan Henderson');
    assert.equal(m.msg, 'hai, apakabar?');
  });

  it('online', async () => {
    const reply = await henderson.ask(`online ${hendersonToken}`);
    assert.deepEqual(reply, { status: 'OK', users: [{ username: 'messi', userdetail: { nama: 'Lionel Messi', negara: 'Argentina' } }] });
  });

  it('the documented errors', async () => {
    assert.deepEqual(await messi.ask('auth nobody surabaya'), { status: 'ERROR', message: 'User Tidak Ada' });
    assert.deepEqual(await messi.ask('auth messi salah'), { status: 'ERROR', message: 'Password Salah' });
    assert.deepEqual(await messi.ask(`send ${messiToken} nobody  hai`), { status: 'ERROR', message: 'User Tidak Ditemukan' });
    assert.deepEqual(await messi.ask('send 00000000-0000-4000-8000-000000000000 henderson  hai'), { status: 'ERROR', message: 'Session Tidak Ditemukan' });
  });

  it('logout', async () => {
    messi.write(`logout ${messiToken} \r\n`);
    assert.equal(await messi.frame(), '{"status": "OK"}');
    assert.deepEqual(await messi.ask(`logout ${messiToken}`), { status: 'ERROR', message: 'Session Tidak Ditemukan' });
    assert.deepEqual(await henderson.ask(`online ${hendersonToken}`), { status: 'OK', users: [] });
  });

  it('a fresh socket per request works too', async () => {
    const once = await RawClient.connect(server.port);
    const reply = await once.ask(`online ${hendersonToken}`);
    assert.equal(reply.status, 'OK');
    once.close();
  });
});
