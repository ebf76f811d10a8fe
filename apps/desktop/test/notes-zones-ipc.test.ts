/**
 * notes.remove and zones.update over the IPC transport (`invokeForSender`, the Electron handler as a
 * plain function, with events as registerIpc forwards them): the scenario shared with the HTTP test in
 * packages/engine/test/api/notes-zones.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '@vigil/engine';
import { invokeForSender } from '../src/main/invoke.js';
import type { FuzzWorld } from '../../../packages/engine/test/hardening/fuzz-cases.js';
import { seedFuzzWorld } from '../../../packages/engine/test/hardening/fuzz-world.js';
import { checkNoteRemoval, checkZoneUpdate, type Transport } from '../../../packages/engine/test/api/notes-zones-scenario.js';

const APP = 'vigil://app/index.html';

describe('notes.remove and zones.update over IPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-notes-zones-ipc-'));
  const internal: string[] = [];
  const engine = new Engine({ dbPath: join(dir, 'case.db'), transport: 'ipc', log: (m) => internal.push(m) });
  let world: FuzzWorld;
  const transport: Transport = { events: [], call: (op, input) => invokeForSender(engine, APP, op, input) };

  beforeAll(async () => {
    world = await seedFuzzWorld(engine, dir);
    engine.on((e) => transport.events.push(e));
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes notes and bookmarks with their text audited; refuses other cases and repeats', async () => {
    await checkNoteRemoval(transport, world);
    expect(internal).toEqual([]);
  });

  it('renames and reshapes zones like zones.add validates them, auditing old and new values', async () => {
    await checkZoneUpdate(transport, world);
    expect(internal).toEqual([]);
  });
});
