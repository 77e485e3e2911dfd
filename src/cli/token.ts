import { tokenCommand } from './token.command.js';

// `npm run token`: .env is read like the app reads it (the real environment wins).
try {
  process.loadEnvFile('.env');
} catch (error) {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
process.exitCode = await tokenCommand(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
