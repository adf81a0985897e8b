import { checkResidentId } from './resident-id.js';

describe('resident identity number (GB 11643)', () => {
  it('accepts a valid number with X as check character, normalising a full-width lower-case x', () => {
    expect(checkResidentId('１１０１０５１９４９１２３１００２ｘ')).toEqual({
      valid: true,
      value: '11010519491231002X',
      regionCode: '110105',
    });
  });

  it('refuses a wrong check character with the reason', () => {
    const result = checkResidentId('110105194912310021');
    expect(result).toMatchObject({ valid: false, reason: expect.stringContaining('check digit') });
  });

  it('refuses an impossible birth date', () => {
    expect(checkResidentId('110105194913310028').valid).toBe(false);
  });

  it('refuses the wrong length', () => {
    expect(checkResidentId('11010519491231')).toMatchObject({
      valid: false,
      reason: 'must be 18 characters, got 14',
    });
  });
});
