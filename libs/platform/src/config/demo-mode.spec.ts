import { IsString } from 'class-validator';
import { CommonConfig } from './common-config.js';
import { isDemoFile, NotDemoFile, NotPublishedDemoSecret } from './demo-mode.js';
import { ConfigurationError, loadConfig } from './load-config.js';

class ExampleConfig extends CommonConfig {
  @IsString()
  @NotPublishedDemoSecret()
  PSEUDONYM_SECRET!: string;

  @IsString()
  @NotDemoFile()
  CLIENTS_FILE: string = 'deploy/local/exchange-clients.demo.json';
}

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(ExampleConfig, env);
    return [];
  } catch (error) {
    return (error as ConfigurationError).problems;
  }
};

describe('demo secrets and demo files', () => {
  it('Given the published demo secret and no DEMO_MODE, When loaded, Then the variable is named', () => {
    expect(
      problemsOf({
        PSEUDONYM_SECRET: 'compose-demo-pseudonym-secret-change-me',
        CLIENTS_FILE: '/etc/c.json',
      }),
    ).toEqual([
      'PSEUDONYM_SECRET: PSEUDONYM_SECRET is the published demo secret; set your own or DEMO_MODE=1',
    ]);
  });

  it('Given the default demo file and no DEMO_MODE, When loaded, Then the default is refused too', () => {
    expect(problemsOf({ PSEUDONYM_SECRET: 'own' })).toEqual([
      'CLIENTS_FILE: CLIENTS_FILE is a demo file (deploy/local/exchange-clients.demo.json); set your own or DEMO_MODE=1',
    ]);
  });

  it('Given DEMO_MODE=1, When loaded with both, Then the demo starts', () => {
    const config = loadConfig(ExampleConfig, {
      DEMO_MODE: '1',
      PSEUDONYM_SECRET: 'compose-demo-pseudonym-secret-change-me',
    });
    expect(config.DEMO_MODE).toBe(true);
  });

  it('Given own values, When loaded without DEMO_MODE, Then nothing is refused', () => {
    expect(problemsOf({ PSEUDONYM_SECRET: 'own', CLIENTS_FILE: '/etc/cie/clients.json' })).toEqual([]);
  });

  it('Given DEMO_MODE=0 or something else, When loaded, Then 0 is off and a typo is refused', () => {
    expect(problemsOf({ DEMO_MODE: '0', PSEUDONYM_SECRET: 'own', CLIENTS_FILE: '/c.json' })).toEqual([]);
    expect(problemsOf({ DEMO_MODE: 'yes', PSEUDONYM_SECRET: 'own', CLIENTS_FILE: '/c.json' })).toEqual([
      'DEMO_MODE: DEMO_MODE must be 1, true, 0 or false',
    ]);
  });

  it('Given a demo PEM key file, When named, Then it is a demo file like the JSON ones', () => {
    expect(isDemoFile('deploy/local/check-signing-key.demo.pem')).toBe(true);
    expect(isDemoFile('/etc/cie/check-signing-key.pem')).toBe(false);
  });
});
