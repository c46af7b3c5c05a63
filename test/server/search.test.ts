// search over real sockets: every word, case, diacritics, paging and errors.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/client.js';
import { Errors } from '../../src/protocol.js';
import { backends } from '../helpers/backends.js';
import { RawClient, type TestServer } from '../helpers/server.js';

for (const backend of backends) describe(`search on ${backend.name}`, { skip: backend.skip() }, () => {
  let server: TestServer;
  let c: ChatClient;
  let messi: string;
  let hend: string;
  let line: string;
  before(async () => {
    server = await backend.start();
    c = await ChatClient.connect({ port: server.port });
    messi = await c.auth('messi', 'surabaya');
    hend = await c.auth('henderson', 'surabaya');
    line = await c.auth('lineker', 'surabaya');
    await c.send(messi, 'henderson', 'Selamat PAGI kawan');
    await c.send(hend, 'messi', 'pagi juga, apa kabar?');
    await c.send(messi, 'lineker', 'Café au lait 😀 pagi');
    await c.send(line, 'henderson', 'pagi dari lineker');
  });
  after(async () => {
    c.destroy();
    await server?.stop();
  });

  it('finds the caller\'s messages in both directions holding every word, any case, oldest first', async () => {
    assert.deepEqual((await c.search(messi, 'pagi')).map((m) => m.msg), ['Selamat PAGI kawan', 'pagi juga, apa kabar?', 'Café au lait 😀 pagi']);
    assert.deepEqual((await c.search(messi, 'PAGI kawan')).map((m) => m.msg), ['Selamat PAGI kawan']);
    assert.deepEqual((await c.search(messi, 'pagi lineker')).map((m) => m.msg), [], 'not a message of messi');
    assert.deepEqual((await c.search(hend, 'kabar? apa')).map((m) => m.msg), ['pagi juga, apa kabar?']);
    assert.deepEqual((await c.search(messi, 'cafe')).map((m) => m.msg), ['Café au lait 😀 pagi']);
    assert.deepEqual((await c.search(messi, 'CAFÉ')).map((m) => m.msg), ['Café au lait 😀 pagi']);
    assert.deepEqual(await c.search(messi, '!!! ...'), []);
  });

  it('pages with before_id and limit', async () => {
    const all = await c.search(messi, 'pagi');
    const newest = await c.search(messi, 'pagi', 2);
    assert.deepEqual(newest, all.slice(1));
    assert.deepEqual(await c.search(messi, 'pagi', 2, newest[0]!.id), all.slice(0, 1));
  });

  it('answers Protocol Tidak Benar for bad numbers, a limit out of 1..200, or no query', async () => {
    const raw = await RawClient.connect(server.port);
    for (const l of [`search ${messi} 0 0 pagi`, `search ${messi} 0 201 pagi`, `search ${messi} x 10 pagi`, `search ${messi} 0 10`, `search ${messi} 0`, `search ${messi}`]) {
      assert.deepEqual(await raw.ask(l), { status: 'ERROR', message: Errors.badProtocol }, l);
    }
    assert.deepEqual(await raw.ask('search 00000000-0000-4000-8000-000000000000 0 10 pagi'), { status: 'ERROR', message: Errors.noSession });
    raw.close();
  });
});
