/**
 * A DNS server for the reality suite: UDP on 127.0.0.1, a free port, answering A queries for the names the test gives
 * it, so a test can move a name to another address while nginx runs, as Compose or Kubernetes do when they recreate
 * what is behind a name. Every other query gets an empty answer (NOERROR) and unknown names NXDOMAIN.
 *
 * Hand-written rather than a package: it needs to read one question and write A records, about fifty lines of RFC 1035.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';

export interface DnsServer {
  readonly port: number;
  /** Points `name` at `addresses` (IPv4) from the next query on; an empty list makes the name unknown. */
  set(name: string, addresses: readonly string[]): void;
  /** The names asked for, in order, with their query type (1 = A, 28 = AAAA). */
  queries(): readonly { readonly name: string; readonly type: number }[];
  stop(): Promise<void>;
}

const TYPE_A = 1;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;

/** The question of a query: its name (lower case, no trailing dot), type, and where the question section ends. */
function readQuestion(query: Buffer): { name: string; type: number; end: number } | null {
  const labels: string[] = [];
  let offset = 12;
  while (offset < query.length) {
    const length = query[offset]!;
    offset += 1;
    if (length === 0) break;
    // Compression pointers never appear in a question a resolver sends first.
    if (length > 63 || offset + length > query.length) return null;
    labels.push(query.toString('latin1', offset, offset + length));
    offset += length;
  }
  if (offset + 4 > query.length) return null;
  return { name: labels.join('.').toLowerCase(), type: query.readUInt16BE(offset), end: offset + 4 };
}

function answer(query: Buffer, records: ReadonlyMap<string, readonly string[]>, log: { name: string; type: number }[]): Buffer | null {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return null;
  const question = readQuestion(query);
  if (question === null) return null;
  log.push({ name: question.name, type: question.type });
  const addresses = records.get(question.name);
  const answers = addresses !== undefined && question.type === TYPE_A ? addresses : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, the query's opcode and RD, RA; NXDOMAIN for a name the server does not know.
  header.writeUInt16BE(0x8000 | (query.readUInt16BE(2) & 0x7900) | 0x0080 | (addresses === undefined ? RCODE_NXDOMAIN : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const records_ = answers.map((address) => {
    const record = Buffer.alloc(16);
    // A pointer to the name in the question (offset 12), then type, class, TTL 1 s, and the four address bytes.
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(TYPE_A, 2);
    record.writeUInt16BE(CLASS_IN, 4);
    record.writeUInt32BE(1, 6);
    record.writeUInt16BE(4, 10);
    address.split('.').forEach((byte, index) => record.writeUInt8(Number(byte), 12 + index));
    return record;
  });
  return Buffer.concat([header, query.subarray(12, question.end), ...records_]);
}

/** Starts the server on a free UDP port of 127.0.0.1. */
export async function startDnsServer(): Promise<DnsServer> {
  const records = new Map<string, readonly string[]>();
  const log: { name: string; type: number }[] = [];
  const socket = dgram.createSocket('udp4');
  socket.on('message', (query, client) => {
    const response = answer(query, records, log);
    if (response !== null) socket.send(response, client.port, client.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (socket.address() as AddressInfo).port,
    set: (name, addresses) => {
      if (addresses.length === 0) records.delete(name.toLowerCase());
      else records.set(name.toLowerCase(), [...addresses]);
    },
    queries: () => [...log],
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
