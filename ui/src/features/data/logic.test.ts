import { describe, expect, it } from 'vitest';
import { backupKindLabel, confirmsErase, exportFileName, formatSize } from './logic';

describe('confirmsErase', () => {
  it('takes the word ERASE or the business name, and nothing else', () => {
    expect(confirmsErase('ERASE', 'Corner Shop')).toBe(true);
    expect(confirmsErase('  Corner Shop ', 'Corner Shop')).toBe(true);
    expect(confirmsErase('erase', 'Corner Shop')).toBe(false);
    expect(confirmsErase('Corner', 'Corner Shop')).toBe(false);
    expect(confirmsErase('', 'Corner Shop')).toBe(false);
    expect(confirmsErase('', '')).toBe(false);
    expect(confirmsErase('', null)).toBe(false);
  });
});

describe('backup labels and sizes', () => {
  it('names every kind for people', () => {
    expect(backupKindLabel('before-migration')).toBe('Before an update');
    expect(backupKindLabel('weekly')).toBe('Weekly');
  });
  it('formats sizes', () => {
    expect(formatSize(200)).toBe('1 KB');
    expect(formatSize(840 * 1024)).toBe('840 KB');
    expect(formatSize(12.34 * 1024 * 1024)).toBe('12.3 MB');
  });
  it('dates the export by the local day', () => {
    expect(exportFileName(new Date(2026, 0, 5, 23, 30))).toBe('whatsflow-export-2026-01-05.zip');
  });
});
