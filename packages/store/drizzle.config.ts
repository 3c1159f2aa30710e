import { defineConfig } from 'drizzle-kit';

// SQLite migrations live at the top of the repository (`migrations/sqlite/`), append-only.
// PostgreSQL has its own config (`drizzle.pg.config.ts`); `pnpm db:generate` runs both.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema/sqlite.ts',
  out: '../../migrations/sqlite',
});
