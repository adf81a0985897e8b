import { RequestException } from './problem.js';
import { invalidFields, uuidParam } from './validation.js';

describe('ids stored as UUIDs, at the edge', () => {
  const metadata = { type: 'param' as const, data: 'id' };

  it('given a UUID path parameter, when checked, then it passes unchanged', async () => {
    const id = '0196a3c4-5b7e-7c1d-9e2f-3a4b5c6d7e8f';
    await expect(uuidParam('id').transform(id, metadata)).resolves.toBe(id);
  });

  it.each(['not-a-uuid', 'a\u0000b', '', '0196a3c4-5b7e-7c1d-9e2f-3a4b5c6d7e8'])(
    'given %j, when checked, then a 422 problem names the parameter before any query',
    async (id) => {
      const refusal = uuidParam('id')
        .transform(id, metadata)
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const error = await refusal;
      expect(error).toBeInstanceOf(RequestException);
      expect((error as RequestException).fieldProblems).toEqual([
        { field: 'id', detail: 'id must be a UUID' },
      ]);
    },
  );

  it('given field problems, when refused, then the message lists every field', () => {
    expect(
      invalidFields([
        { field: 'note', detail: 'x' },
        { field: 'outcome', detail: 'y' },
      ]).message,
    ).toBe('The record has 2 invalid fields: note, outcome');
  });
});
