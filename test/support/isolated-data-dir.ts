import { freshDataDir, removeDataDirs } from './data-dir.js';

// Every test file gets its own DATA_DIR: jest runs files in parallel processes, and one embedded
// database directory serves one process. Apps and processes are stopped by then; the copies go.
process.env['DATA_DIR'] = freshDataDir();
afterAll(removeDataDirs);
