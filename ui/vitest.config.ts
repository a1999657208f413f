// Unit tests (vitest) for code that needs no server: the API client's transports and the form schemas.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.ts'],
  },
});
