import { defineConfig } from 'drizzle-kit';

// PostgreSQL migrations (`migrations/pg/`), append-only, generated from the parallel schema.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/schema/pg.ts',
  out: '../../migrations/pg',
});
