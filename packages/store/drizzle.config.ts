import { defineConfig } from 'drizzle-kit';

// Migrations live at the top of the repository (`migrations/sqlite/`), append-only.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema/sqlite.ts',
  out: '../../migrations/sqlite',
});
