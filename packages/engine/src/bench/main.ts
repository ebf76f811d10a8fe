/** `npm run bench -- [detector|analyze|all] [options]`: benchmarks that print figures (never tests). */
import { benchAnalyze } from './analyze.js';
import { benchDetector } from './detector.js';

const benches: Record<string, () => Promise<void>> = {
  detector: () => benchDetector(),
  analyze: () => benchAnalyze(),
};

const wanted = process.argv[2] ?? 'all';
const names = wanted === 'all' ? Object.keys(benches) : [wanted];
for (const n of names) {
  if (!benches[n]) {
    console.error(`unknown benchmark ${JSON.stringify(n)}; choose one of: ${Object.keys(benches).join(', ')}, all`);
    process.exit(2);
  }
}
for (const n of names) {
  console.log(`== ${n} ==`);
  await benches[n]();
}
