// The loopback model server of bench/agents.ts in a process of its own, as a real provider is:
// the bench's client (reading the event streams) then never delays the model's answers, and the
// model's work never runs on the client's event loop. Started with child_process.fork; the
// script (latency and replies) comes as JSON in argv[2]. It sends `{ baseUrl }` once listening,
// and answers `{ since }` with the requests received from that index on, their stamps as epoch
// milliseconds (performance.timeOrigin + performance.now(), comparable across processes).
import { type ChatRequest, type FakeReply, startFakeLlm } from '../../test/helpers/fake-llm.ts';

export interface FakeModelScript {
  latency: { firstTokenDelayMs: number; chunkDelayMs: number };
  /** The structured (routing) request's reply. */
  structured: FakeReply;
  /** A step that comes after tool results. */
  afterTools: FakeReply;
  /** Any other step. */
  otherwise: FakeReply;
}

export interface ModelRequestRecord {
  shape: string;
  receivedAt: number;
  firstTokenAt: number | undefined;
  endedAt: number | undefined;
}

const script = JSON.parse(process.argv[2] ?? '{}') as FakeModelScript;
const fake = await startFakeLlm(script.latency);
fake.otherwise((request: ChatRequest) => {
  if (request.response_format) return script.structured;
  if (request.messages.at(-1)?.role === 'tool') return script.afterTools;
  return script.otherwise;
});
const epoch = (at: number | undefined) =>
  at === undefined ? undefined : performance.timeOrigin + at;

process.on('message', (message: { since?: number; close?: boolean }) => {
  if (message.close) {
    void fake.close().then(() => process.exit(0));
    return;
  }
  const records: ModelRequestRecord[] = fake.requests.slice(message.since ?? 0).map((r) => ({
    shape: `${r.body.response_format?.json_schema?.name ?? '-'}/${r.body.messages.at(-1)?.role ?? ''}`,
    receivedAt: performance.timeOrigin + r.timing.receivedAt,
    firstTokenAt: epoch(r.timing.firstTokenAt),
    endedAt: epoch(r.timing.endedAt),
  }));
  process.send?.({ records });
});
process.send?.({ baseUrl: fake.baseUrl });
