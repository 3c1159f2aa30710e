import { defineConfig } from 'drizzle-kit';

// Migrations live at the top of the repository (`migrations/`), append-only.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/schema.ts',
  out: '../../migrations',
});
