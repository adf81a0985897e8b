/** The PostgreSQL database of the integration tests, from DATABASE_URL (set by `npm test` or by you). */
export function testDatabaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: run the integration tests through `npm test` (which creates a test database) ' +
        'or set DATABASE_URL to a PostgreSQL database the tests may write to.',
    );
  }
  return url;
}
