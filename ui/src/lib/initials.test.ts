// The one initials rule every avatar uses.
import { describe, expect, it } from 'vitest';
import { initials } from './initials';

describe('initials', () => {
  it('takes the first letter of the first and last words, skipping what is not a letter', () => {
    expect(initials('Rosa Martínez')).toBe('RM');
    expect(initials('Rosa Martínez Silva')).toBe('RS');
    expect(initials('(Rosa) "Martínez"')).toBe('RM');
    expect(initials('  ana  ')).toBe('A');
    expect(initials('élodie')).toBe('É');
  });

  it('shows the last two digits of a number, whatever its format', () => {
    expect(initials('+15551234567')).toBe('67');
    expect(initials('(415) 555-0132')).toBe('32');
    expect(initials('')).toBe('?');
  });
});
