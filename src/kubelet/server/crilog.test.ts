import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, appendFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCriLine, parseLogQuery, streamCriLog, type LogOptions } from './crilog.js';

const line = (ts: string, stream: string, tag: string, text: string) => `${ts} ${stream} ${tag} ${text}\n`;

test('parseCriLine: full, partial, empty content, malformed', () => {
  const r = parseCriLine(Buffer.from('2024-01-02T03:04:05.123456789Z stdout F hello world'))!;
  assert.equal(r.stream, 'stdout');
  assert.equal(r.full, true);
  assert.equal(r.content.toString(), 'hello world');
  assert.equal(r.timestamp, '2024-01-02T03:04:05.123456789Z');
  assert.equal(r.time, Date.parse('2024-01-02T03:04:05.123Z'));
  const p = parseCriLine(Buffer.from('2024-01-02T03:04:05Z stderr P part '))!;
  assert.equal(p.full, false);
  assert.equal(p.stream, 'stderr');
  assert.equal(p.content.toString(), 'part ');
  const e = parseCriLine(Buffer.from('2024-01-02T03:04:05Z stdout F'))!;
  assert.equal(e.content.length, 0);
  assert.equal(parseCriLine(Buffer.from('garbage')), null);
  assert.equal(parseCriLine(Buffer.from('notatime stdout F x')), null);
  assert.equal(parseCriLine(Buffer.from('2024-01-02T03:04:05Z stdin F x')), null);
});

async function collect(path: string, opts: LogOptions, follow?: Parameters<typeof streamCriLog>[3], signal?: AbortSignal): Promise<string> {
  const out: Buffer[] = [];
  await streamCriLog(path, opts, { write: (c) => void out.push(c), signal }, follow);
  return Buffer.concat(out).toString();
}

test('streamCriLog: tail, timestamps, partial joins, since, limitBytes, stream', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crilog-'));
  try {
    const f = join(dir, '0.log');
    await writeFile(
      f,
      line('2024-01-01T00:00:01.000000001Z', 'stdout', 'F', 'one') +
        line('2024-01-01T00:00:02Z', 'stderr', 'F', 'two') +
        line('2024-01-01T00:00:03Z', 'stdout', 'P', 'thr') +
        line('2024-01-01T00:00:03Z', 'stdout', 'F', 'ee') +
        line('2024-01-01T00:00:04Z', 'stdout', 'F', 'four'),
    );
    assert.equal(await collect(f, {}), 'one\ntwo\nthree\nfour\n');
    assert.equal(await collect(f, { tailLines: 1 }), 'four\n');
    assert.equal(await collect(f, { tailLines: 2 }), 'ee\nfour\n');
    assert.equal(await collect(f, { tailLines: 0 }), '');
    assert.equal(await collect(f, { tailLines: 100 }), 'one\ntwo\nthree\nfour\n');
    assert.equal(await collect(f, { timestamps: true, tailLines: 1 }), '2024-01-01T00:00:04Z four\n');
    assert.equal(await collect(f, { timestamps: true }).then((s) => s.split('\n')[0]), '2024-01-01T00:00:01.000000001Z one');
    assert.equal(await collect(f, { sinceTime: Date.parse('2024-01-01T00:00:03Z') }), 'three\nfour\n');
    assert.equal(await collect(f, { limitBytes: 6 }), 'one\ntw');
    assert.equal(await collect(f, { stream: 'stderr' }), 'two\n');
    assert.equal(await collect(join(dir, 'missing.log'), {}), '');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('streamCriLog: follow picks up appends and stops when the container exits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crilog-'));
  try {
    const f = join(dir, '0.log');
    await writeFile(f, line('2024-01-01T00:00:01Z', 'stdout', 'F', 'a'));
    let running = true;
    const chunks: string[] = [];
    let gotB!: () => void;
    const sawB = new Promise<void>((r) => (gotB = r));
    const done = streamCriLog(
      f,
      { follow: true },
      {
        write: (c) => {
          chunks.push(c.toString());
          if (c.toString() === 'b\n') gotB();
        },
      },
      { stillRunning: async () => running, pollMs: 20, statusMs: 20 },
    );
    await new Promise((r) => setTimeout(r, 50));
    // Half a line first: nothing is emitted until its newline arrives.
    await appendFile(f, '2024-01-01T00:00:02Z stdout F ');
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(f, 'b\n');
    await sawB;
    await appendFile(f, line('2024-01-01T00:00:03Z', 'stdout', 'F', 'c'));
    running = false;
    await done;
    assert.deepEqual(chunks, ['a\n', 'b\n', 'c\n']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('streamCriLog: follow ends when the client goes away', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crilog-'));
  try {
    const f = join(dir, '0.log');
    await writeFile(f, line('2024-01-01T00:00:01Z', 'stdout', 'F', 'a'));
    const ac = new AbortController();
    const p = collect(f, { follow: true }, { stillRunning: async () => true, pollMs: 20 }, ac.signal);
    setTimeout(() => ac.abort(), 60);
    assert.equal(await p, 'a\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('parseLogQuery', () => {
  const now = 1_000_000;
  const o = parseLogQuery(new URLSearchParams('follow=true&previous=false&tailLines=5&timestamps=1&limitBytes=10&sinceSeconds=2'), now);
  assert.deepEqual(o, { follow: true, previous: false, timestamps: true, tailLines: 5, limitBytes: 10, sinceTime: now - 2000 });
  assert.throws(() => parseLogQuery(new URLSearchParams('limitBytes=0')));
  assert.throws(() => parseLogQuery(new URLSearchParams('tailLines=x')));
  assert.equal(parseLogQuery(new URLSearchParams('sinceTime=2024-01-01T00:00:00Z')).sinceTime, Date.parse('2024-01-01T00:00:00Z'));
});
