import { HELP, parseCommand, UsageError } from './args.js';

const noFile = (path: string): string => {
  throw new Error(`ENOENT: no such file, open '${path}'`);
};
const parse = (line: string, readFile = noFile) => parseCommand(line.split(' ').filter(Boolean), readFile);
const usage = (line: string) => {
  try {
    parse(line);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`${line} parsed`);
};

describe('cie command lines', () => {
  it('parses tasks and answer-task, with the answer as the sector service takes it', () => {
    expect(parse('tasks --url http://127.0.0.1:3002/ --key demo-key')).toEqual({
      command: 'tasks',
      url: 'http://127.0.0.1:3002',
      key: 'demo-key',
      status: 'open',
    });
    expect(usage('tasks --url http://h:1 --key k --status late')).toMatch(/--status must be/);
    expect(
      parse(
        'answer-task 019ad3c1-2222 --url http://h:1 --key k --outcome not_applicable --reason-code no_bids',
      ),
    ).toEqual({
      command: 'answer-task',
      url: 'http://h:1',
      key: 'k',
      taskId: '019ad3c1-2222',
      answer: { outcome: 'not_applicable', reasonCode: 'no_bids' },
    });
    expect(usage('answer-task t --url http://h:1 --key k --outcome maybe')).toMatch(/--outcome must be/);
    expect(usage('answer-task --url http://h:1 --key k --outcome applied')).toMatch(/needs the task id/);
    expect(usage('answer-task t --outcome applied --key k')).toMatch(/--url is required/);
  });

  it('parses submit with its defaults: rejects beside the file, progress on, URL without its last slash', () => {
    expect(parse('submit records.ndjson --url http://127.0.0.1:3003/ --key demo-key')).toEqual({
      command: 'submit',
      file: 'records.ndjson',
      url: 'http://127.0.0.1:3003',
      key: 'demo-key',
      rejects: 'records.ndjson.rejects.ndjson',
      progress: true,
    });
    expect(
      parse('submit a.ndjson --url http://h:1 --key k --rejects bad.ndjson --no-progress'),
    ).toMatchObject({
      rejects: 'bad.ndjson',
      progress: false,
    });
  });

  it('reads the agency key from --key-file, trimmed, and refuses both or neither', () => {
    expect(parse('submit a.ndjson --url http://h:1 --key-file k.txt', () => 'secret\n')).toMatchObject({
      key: 'secret',
    });
    expect(usage('submit a.ndjson --url http://h:1')).toMatch(/--key .*is required/);
    expect(usage('submit a.ndjson --url http://h:1 --key a --key-file b')).toMatch(/not both/);
    expect(usage('submit a.ndjson --url http://h:1 --key-file missing.txt')).toMatch(
      /cannot read --key-file missing.txt/,
    );
  });

  it('says what is wrong with a submit line', () => {
    expect(usage('submit --url http://h:1 --key k')).toMatch(/needs the NDJSON file/);
    expect(usage('submit a.ndjson --key k')).toMatch(/--url is required/);
    expect(usage('submit a.ndjson --url ftp://h --key k')).toMatch(/http\(s\) URL/);
    expect(usage('submit a.ndjson b.ndjson --url http://h:1 --key k')).toMatch(
      /unexpected argument b.ndjson/,
    );
    expect(usage('submit a.ndjson --url http://h:1 --key k --colour')).toMatch(/--colour/);
  });

  it('parses feed tail with its brokers, --from-beginning and --max', () => {
    expect(
      parse('feed tail beijing-platform --brokers 127.0.0.1:9092,kafka:29092 --from-beginning --max 5'),
    ).toEqual({
      command: 'feed tail',
      subscriber: 'beijing-platform',
      brokers: ['127.0.0.1:9092', 'kafka:29092'],
      fromBeginning: true,
      max: 5,
    });
    expect(parse('feed tail p --brokers h:1')).toMatchObject({ fromBeginning: false, max: undefined });
    expect(usage('feed tail --brokers h:1')).toMatch(/needs the subscriber id/);
    expect(usage('feed tail Beijing --brokers h:1')).toMatch(/not a subscriber id/);
    expect(usage('feed tail p')).toMatch(/--brokers is required/);
    expect(usage('feed tail p --brokers localhost')).toMatch(/localhost is not host:port/);
    expect(usage('feed tail p --brokers h:1 --max 0')).toMatch(/--max must be a positive whole number/);
  });

  it('parses audit verify with an optional database URL', () => {
    expect(parse('audit verify')).toEqual({ command: 'audit verify', databaseUrl: undefined });
    expect(parse('audit verify --database-url postgres://u@h/cie')).toMatchObject({
      databaseUrl: 'postgres://u@h/cie',
    });
    expect(usage('audit verify --database-url mysql://h')).toMatch(/postgres:\/\//);
  });

  it('answers --help for every command, and names an unknown one', () => {
    expect(parse('')).toEqual({ command: 'help', text: HELP.main });
    expect(parse('--help')).toEqual({ command: 'help', text: HELP.main });
    expect(parse('submit --help')).toEqual({ command: 'help', text: HELP.submit });
    expect(parse('feed tail -h')).toEqual({ command: 'help', text: HELP['feed tail'] });
    expect(parse('audit verify --help')).toEqual({ command: 'help', text: HELP['audit verify'] });
    expect(usage('publish x')).toBe('unknown command publish');
    expect(usage('feed head p')).toBe('unknown command feed head');
    for (const text of Object.values(HELP)) expect(text).toMatch(/Exit codes: 0 /);
  });
});
