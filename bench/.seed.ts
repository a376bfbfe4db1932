import { closeDatabase, openDatabase } from '../src/storage/db.js';
import { seedCompletedStudy } from '../bench/lib/focus-group-study.js';
const db = await openDatabase({ dataDir: process.env.PROF_DIR! });
await seedCompletedStudy(db, { respondents: 10000, id: 'fg_bench_plain' });
await closeDatabase(db);
