import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** A command line that makes no sense: reported with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The help to show with it. */
    readonly help: string,
  ) {
    super(message);
  }
}

export interface SubmitCommand {
  command: 'submit';
  file: string;
  url: string;
  key: string;
  rejects: string;
  progress: boolean;
}
export interface FeedTailCommand {
  command: 'feed tail';
  subscriber: string;
  brokers: string[];
  fromBeginning: boolean;
  max: number | undefined;
}
export interface AuditVerifyCommand {
  command: 'audit verify';
  databaseUrl: string | undefined;
}
export interface VerifyReceiptCommand {
  command: 'verify-receipt';
  file: string;
  publicKeyFile: string;
}
export interface HelpCommand {
  command: 'help';
  text: string;
}
export type Command =
  SubmitCommand | FeedTailCommand | AuditVerifyCommand | VerifyReceiptCommand | HelpCommand;

export const HELP = {
  main: `usage: cie <command> [options]

Commands:
  submit <file.ndjson>     stream records to a sector service's POST /v1/records/bulk
  feed tail <subscriber>   print a subscriber's feed, decoded, as JSON lines
  audit verify             check the exchange's audit log hash chain
  verify-receipt <file>    verify a saved check receipt or credit report offline

Run \`cie <command> --help\` for a command's options.
Exit codes: 0 ok, 1 some records refused or a problem found, 2 usage error or cannot connect.`,

  submit: `usage: cie submit <file.ndjson> --url <sector service URL> --key <agency key> [options]

Streams the file, one JSON record per line, to <url>/v1/records/bulk and reads the receipts back
as they come: a progress bar on stderr (records/s, ETA from the file size), then a summary.
Each refused line (invalid fields, conflict, forbidden...) is written to the rejects file as
{"line", "status", "httpStatus", "sourceRecordId", "problems": [{"field", "detail"}], "input"}.

Options:
  --url <url>          the sector service, e.g. http://127.0.0.1:3003 (courts)
  --key <key>          the agency key (Authorization: Bearer <key>)
  --key-file <path>    read the agency key from a file instead (keeps it out of ps)
  --rejects <path>     where to write refused lines (default: <file>.rejects.ndjson; always written)
  --no-progress        no progress bar (it is drawn only when stderr is a terminal anyway)
  -h, --help           this help

Exit codes: 0 every line accepted (or already accepted), 1 some lines refused or the service
stopped before the end, 2 usage error, unreadable file, cannot connect, or the upload was refused
as a whole (unknown key: 401).`,

  'feed tail': `usage: cie feed tail <subscriber> --brokers <host:port,...> [options]

Reads credit.feed.<subscriber>.v1 and prints each event as one JSON line on stdout:
{"partition", "offset", "key", "type", "id", "time", "event": <FeedEvent in the protobuf JSON mapping>}.
Messages that do not decode are reported on stderr and skipped. Stops on Ctrl-C, or after --max.

Options:
  --brokers <list>     Kafka bootstrap brokers, comma-separated, e.g. 127.0.0.1:9092
  --from-beginning     start at the oldest message kept (default: only new messages)
  --max <n>            stop after n events
  -h, --help           this help

Exit codes: 0 stopped normally, 2 usage error, no such feed topic, or cannot connect to Kafka.`,

  'audit verify': `usage: cie audit verify [--database-url <postgres://...>]

Checks the exchange's audit log hash chain (runs services/exchange/dist/audit/verify-audit.js):
prints "audit log OK: N entries, last hash H", or each problem found.

Options:
  --database-url <url> the exchange database (default: $DATABASE_URL)
  -h, --help           this help

Exit codes: 0 the chain is intact, 1 a problem was found, 2 usage error or cannot check.`,

  'verify-receipt': `usage: cie verify-receipt <receipt.json> --public-key <file>

Verifies a saved check receipt (POST /v1/checks, GET /v1/checks/{number}) or credit report
(GET /v1/subjects/{id}/report) without the exchange: the key id, the SHA-256 of the canonical
bytes of "receipt" and the Ed25519 signature over them. Prints one line per check, then VALID or
INVALID. (That the receipt's audit entry is still in the chain only the exchange can tell:
GET /v1/checks/{number}.)

Options:
  --public-key <file>  the exchange's public key: a PEM file, or the JSON of GET /v1/signing-key
  -h, --help           this help

Exit codes: 0 the receipt verifies, 1 it does not, 2 usage error or unreadable file.`,
} as const;

interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function parse(help: string, args: string[], options: ParseArgsOptionsConfig): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      allowNegative: true,
    });
    return { values: values, positionals };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), help);
  }
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function parseSubmit(args: string[], readFile: (path: string) => string): Command {
  const help = HELP.submit;
  const { values, positionals } = parse(help, args, {
    url: { type: 'string' },
    key: { type: 'string' },
    'key-file': { type: 'string' },
    rejects: { type: 'string' },
    progress: { type: 'boolean', default: true },
  });
  if (values['help']) return { command: 'help', text: help };
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError('submit needs the NDJSON file to send', help);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`, help);
  const url = str(values['url']);
  if (!url) throw new UsageError('--url is required: the sector service, e.g. http://127.0.0.1:3003', help);
  if (!/^https?:\/\/[^/]+/.test(url)) throw new UsageError(`--url must be an http(s) URL, not ${url}`, help);
  const keyFile = str(values['key-file']);
  let key = str(values['key']);
  if (key && keyFile) throw new UsageError('give --key or --key-file, not both', help);
  if (keyFile) {
    try {
      key = readFile(keyFile).trim();
    } catch (error) {
      throw new UsageError(`cannot read --key-file ${keyFile}: ${(error as Error).message}`, help);
    }
  }
  if (!key) throw new UsageError('--key (or --key-file) is required: the agency key', help);
  return {
    command: 'submit',
    file,
    url: url.replace(/\/+$/, ''),
    key,
    rejects: str(values['rejects']) ?? `${file}.rejects.ndjson`,
    progress: values['progress'] !== false,
  };
}

function parseFeedTail(args: string[]): Command {
  const help = HELP['feed tail'];
  const { values, positionals } = parse(help, args, {
    brokers: { type: 'string' },
    'from-beginning': { type: 'boolean', default: false },
    max: { type: 'string' },
  });
  if (values['help']) return { command: 'help', text: help };
  const [subscriber, ...extra] = positionals;
  if (!subscriber) throw new UsageError('feed tail needs the subscriber id, e.g. beijing-platform', help);
  if (!/^[a-z0-9][a-z0-9-]*$/.test(subscriber))
    throw new UsageError(`${subscriber} is not a subscriber id (lower-case letters, digits, hyphens)`, help);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`, help);
  const brokers = (str(values['brokers']) ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  if (brokers.length === 0)
    throw new UsageError('--brokers is required, e.g. --brokers 127.0.0.1:9092', help);
  const bad = brokers.find((b) => !/^[^:\s]+:\d+$/.test(b));
  if (bad) throw new UsageError(`--brokers: ${bad} is not host:port`, help);
  const maxText = str(values['max']);
  const max = maxText === undefined ? undefined : Number(maxText);
  if (max !== undefined && (!Number.isInteger(max) || max < 1))
    throw new UsageError(`--max must be a positive whole number, not ${maxText}`, help);
  return { command: 'feed tail', subscriber, brokers, fromBeginning: values['from-beginning'] === true, max };
}

function parseAuditVerify(args: string[]): Command {
  const help = HELP['audit verify'];
  const { values, positionals } = parse(help, args, { 'database-url': { type: 'string' } });
  if (values['help']) return { command: 'help', text: help };
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`, help);
  const databaseUrl = str(values['database-url']);
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new UsageError('--database-url must be a postgres:// URL', help);
  return { command: 'audit verify', databaseUrl };
}

function parseVerifyReceipt(args: string[]): Command {
  const help = HELP['verify-receipt'];
  const { values, positionals } = parse(help, args, { 'public-key': { type: 'string' } });
  if (values['help']) return { command: 'help', text: help };
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError('verify-receipt needs the saved receipt (JSON)', help);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`, help);
  const publicKeyFile = str(values['public-key']);
  if (!publicKeyFile)
    throw new UsageError(
      '--public-key is required: the PEM (or GET /v1/signing-key JSON) to verify with',
      help,
    );
  return { command: 'verify-receipt', file, publicKeyFile };
}

/** The command a command line asks for; throws UsageError (with the help to show) when it makes no sense. */
export function parseCommand(argv: readonly string[], readFile: (path: string) => string): Command {
  const [first, second, ...rest] = argv;
  switch (first) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      return { command: 'help', text: HELP.main };
    case 'submit':
      return parseSubmit(argv.slice(1), readFile);
    case 'feed':
      if (second === 'tail') return parseFeedTail(rest);
      if (second === undefined || second === '--help' || second === '-h')
        return { command: 'help', text: HELP['feed tail'] };
      throw new UsageError(`unknown command feed ${second}`, HELP.main);
    case 'audit':
      if (second === 'verify') return parseAuditVerify(rest);
      if (second === undefined || second === '--help' || second === '-h')
        return { command: 'help', text: HELP['audit verify'] };
      throw new UsageError(`unknown command audit ${second}`, HELP.main);
    case 'verify-receipt':
      return parseVerifyReceipt(argv.slice(1));
    default:
      throw new UsageError(`unknown command ${first}`, HELP.main);
  }
}
