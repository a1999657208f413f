// The letters an avatar shows for a name: the same person gets the same letters on every screen.

/**
 * The first letter of the first and of the last word ("Rosa Martínez Silva" → "RS"), one letter for a
 * one-word name, or the last two digits when the name is a number ("+1 555 123 4567" → "67").
 */
export function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .map((word) => [...word].find((c) => /\p{L}/u.test(c)))
    .filter((c): c is string => c !== undefined);
  if (letters.length > 0) return (letters.length === 1 ? letters[0]! : letters[0]! + letters[letters.length - 1]!).toLocaleUpperCase();
  return name.replace(/\D/g, '').slice(-2) || '?';
}
